import type { IncomingRequest } from '@presence/sip';
// A MIME parser nobody here wrote (postal-mime: maintained, no dependencies, multipart/related with Content-IDs): the list NOTIFYs are read as any mail reader would.
import PostalMime from 'postal-mime';
import { expect } from 'vitest';

/** Helpers of the resource list tests (RFC 4662): documents to PUT, and list NOTIFYs read with a foreign MIME parser. */

const RL = 'urn:ietf:params:xml:ns:resource-lists';
/** What an RFC 4662 subscriber sends: it takes lists, and the three body types of a list NOTIFY. */
export const LIST_HEADERS = { Supported: 'eventlist', Accept: 'application/pidf+xml, application/rlmi+xml, multipart/related' };

export const entries = (uris: readonly string[]) => uris.map((uri) => `<entry uri="${uri}"/>`).join('');
export const resourceLists = (lists: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<resource-lists xmlns="${RL}">${lists}</resource-lists>`;
export const rlsServices = (services: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<rls-services xmlns="urn:ietf:params:xml:ns:rls-services" xmlns:rl="${RL}">${services}</rls-services>`;
export const listUri = (owner: string, selector: string) => `/xcap-root/resource-lists/users/${owner}/index/~~/resource-lists/${encodeURIComponent(selector)}`;

export interface ParsedList {
  readonly version: number;
  readonly fullState: boolean;
  /** uri -> its instance: state, reason, and the PIDF part its cid names (parsed out of the multipart by cid). */
  readonly resources: Map<string, { state: string; reason?: string; name?: string; pidf?: string }>;
}

/** Reads a list NOTIFY with postal-mime: the root part named by start is RLMI, each instance's cid names a PIDF part. */
export async function parseListNotify(notify: IncomingRequest): Promise<ParsedList> {
  const contentType = notify.header('content-type') ?? '';
  expect(contentType).toMatch(/^multipart\/related;/);
  expect(notify.header('require')).toBe('eventlist');
  const start = /start="([^"]+)"/.exec(contentType)?.[1];
  const mail = await PostalMime.parse(Buffer.concat([Buffer.from(`Content-Type: ${contentType}\r\n\r\n`), notify.bodyBytes]), { attachmentEncoding: 'utf8' });
  const parts = new Map(mail.attachments.map((a) => [a.contentId, { type: a.mimeType, text: String(a.content) }]));
  const root = parts.get(start);
  expect(root?.type).toBe('application/rlmi+xml');
  const rlmi = root!.text;
  const head = /<list [^>]*uri="([^"]+)" version="(\d+)" fullState="(true|false)"/.exec(rlmi)!;
  const resources = new Map<string, { state: string; reason?: string; name?: string; pidf?: string }>();
  for (const match of rlmi.matchAll(/<resource uri="([^"]+)">([\s\S]*?)<\/resource>/g)) {
    const instance = /<instance id="[^"]+" state="(\w+)"(?: reason="(\w+)")?(?: cid="([^"]+)")?\/>/.exec(match[2]!)!;
    const name = /<name>([^<]*)<\/name>/.exec(match[2]!)?.[1];
    const part = instance[3] === undefined ? undefined : parts.get(`<${instance[3]}>`);
    if (part !== undefined) expect(part.type).toBe('application/pidf+xml');
    resources.set(match[1]!, { state: instance[1]!, ...(instance[2] ? { reason: instance[2] } : {}), ...(name ? { name } : {}), ...(part ? { pidf: part.text } : {}) });
  }
  return { version: Number(head[2]), fullState: head[3] === 'true', resources };
}

