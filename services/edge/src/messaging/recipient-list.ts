import { BadRequestError, UnsupportedMediaTypeError } from '@presence/core';
import { childElements, defaultPidfLimits, getAttribute, parseXmlTree, PidfError, type XmlElement } from '@presence/pidf';
import { multipartBoundary, splitMultipart, valueToken } from './multipart.js';

/** Option tag a UAC puts in Require for a recipient-list MESSAGE (RFC 5365 §4). */
export const RECIPIENT_LIST_MESSAGE = 'recipient-list-message';
const RESOURCE_LISTS = 'application/resource-lists+xml';
const RESOURCE_LISTS_NS = 'urn:ietf:params:xml:ns:resource-lists';
/** RFC 5364 copy control attributes (to, cc, bcc) on resource-lists entries. */
const COPY_CONTROL_NS = 'urn:ietf:params:xml:ns:copycontrol';

export type CopyControl = 'to' | 'cc' | 'bcc';

export interface ListedRecipient {
  readonly uri: string;
  readonly copyControl: CopyControl;
  /** RFC 5364 §4 `anonymize`: the others see an anonymous URI in its place. */
  readonly anonymize?: boolean;
}

/** What stands in for an anonymized entry in the list the others get (RFC 5364 §4, the RFC 3323 anonymous URI). */
export const ANONYMOUS_URI = 'sip:anonymous@anonymous.invalid';

/** A recipient-list MESSAGE taken apart: who gets it, and the message itself. */
export interface RecipientListMessage {
  readonly recipients: readonly ListedRecipient[];
  /** The message part's media type with its parameters ('text/plain' when the part says none, RFC 2046 §5.1.1). */
  readonly contentType: string;
  /** The message part's header section as received, sent on unchanged ('' for none). */
  readonly partHeaders: string;
  /** The message part's bytes, unchanged. */
  readonly body: Uint8Array;
}

/**
 * Splits a multipart/mixed MESSAGE body (RFC 5365 §4) into its URI list
 * (the application/resource-lists+xml part with Content-Disposition
 * recipient-list) and the one other part, the message to send on, whose
 * bytes are kept as they are. A body that does not have exactly these
 * parts is 400 naming what is missing; one that is not multipart/mixed, or
 * a list in another format, 415.
 */
export function parseRecipientListMessage(contentType: string, body: Uint8Array, maxRecipients: number): RecipientListMessage {
  // RFC 5365 §6: the body is multipart/mixed; another type is one we do not take (415 with Accept, RFC 3261 §21.4.13).
  if (!/^multipart\/mixed\s*(;|$)/i.test(contentType)) throw new UnsupportedMediaTypeError(`Unsupported Media Type (a recipient-list MESSAGE is multipart/mixed, not ${contentType || 'none'})`, ['multipart/mixed']);
  const boundary = multipartBoundary(contentType);
  if (boundary === undefined) throw new BadRequestError('Recipient-list MESSAGE body is multipart/mixed without a boundary');
  const parts = splitMultipart(Buffer.from(body.buffer, body.byteOffset, body.byteLength), boundary);
  // RFC 5363 §4.1 via RFC 5365 §7: a URI list in a format we do not read is 415 naming the one we do.
  const listed = parts.filter((part) => valueToken(part.headers.get('content-disposition')) === 'recipient-list');
  const foreign = listed.find((part) => valueToken(part.headers.get('content-type')) !== RESOURCE_LISTS);
  if (foreign !== undefined) throw new UnsupportedMediaTypeError(`Unsupported Media Type (recipient list as ${valueToken(foreign.headers.get('content-type')) ?? 'text/plain'}; lists are ${RESOURCE_LISTS})`, [RESOURCE_LISTS]);
  if (listed.length !== 1) throw new BadRequestError(`Recipient-list MESSAGE needs one ${RESOURCE_LISTS} part with Content-Disposition: recipient-list (found ${listed.length})`);
  const others = parts.filter((part) => part !== listed[0]);
  if (others.length !== 1) throw new BadRequestError('Recipient-list MESSAGE needs exactly one message part beside the URI list');
  const message = others[0]!;
  const recipients = listedRecipients(listed[0]!.body.toString('utf8'), maxRecipients);
  return { recipients, contentType: message.headers.get('content-type') ?? 'text/plain', partHeaders: message.headerText, body: message.body };
}

/** The entries of a resource-lists document (RFC 4826 §3), each URI once, at most `max`. */
function listedRecipients(xml: string, max: number): ListedRecipient[] {
  let root: XmlElement;
  try {
    root = parseXmlTree(xml, { limits: defaultPidfLimits, checkRoot: (ns, name) => {
      if (ns !== RESOURCE_LISTS_NS || name !== 'resource-lists') throw new PidfError('malformed', `root must be resource-lists in ${RESOURCE_LISTS_NS}, not ${name}`);
    } });
  } catch (error) {
    throw new BadRequestError(`Malformed recipient list: ${(error as Error).message.replace(/^Malformed PIDF: /, '')}`);
  }
  const seen = new Map<string, ListedRecipient>();
  for (const list of childElements(root, RESOURCE_LISTS_NS, 'list')) {
    for (const entry of childElements(list, RESOURCE_LISTS_NS, 'entry')) {
      const uri = getAttribute(entry, 'uri')?.trim();
      if (uri === undefined || uri === '') throw new BadRequestError('Recipient list entry without a uri');
      const control = (getAttribute(entry, 'copyControl', COPY_CONTROL_NS) ?? 'to').toLowerCase();
      if (control !== 'to' && control !== 'cc' && control !== 'bcc') throw new BadRequestError(`Recipient list entry ${uri}: copyControl must be to, cc or bcc, not ${control}`);
      const anonymize = (getAttribute(entry, 'anonymize', COPY_CONTROL_NS) ?? 'false').trim().toLowerCase();
      if (anonymize !== 'true' && anonymize !== 'false' && anonymize !== '1' && anonymize !== '0') throw new BadRequestError(`Recipient list entry ${uri}: anonymize must be true or false, not ${anonymize}`);
      const anonymous = anonymize === 'true' || anonymize === '1';
      if (!seen.has(uri)) seen.set(uri, { uri, copyControl: control, ...(anonymous ? { anonymize: true } : {}) });
    }
  }
  if (seen.size === 0) throw new BadRequestError('Recipient list names nobody');
  if (seen.size > max) throw new BadRequestError(`Recipient list names ${seen.size} recipients, more than ${max}`);
  return [...seen.values()];
}

/**
 * What each recipient gets (RFC 5365 §7.3): the message part as it came
 * (headers and bytes), and the list of recipients as a
 * recipient-list-history part without the bcc entries and with anonymized
 * ones as the anonymous URI (RFC 5365 §4, RFC 5364 §4), together as
 * multipart/mixed; the message alone when no one is left to show.
 */
export function recipientCopy(message: RecipientListMessage, boundary: string): { contentType: string; body: Uint8Array } {
  const visible = message.recipients.filter((recipient) => recipient.copyControl !== 'bcc');
  if (visible.length === 0) return { contentType: message.contentType, body: message.body };
  const entries = visible.map((recipient) => `<entry uri="${escapeXml(recipient.anonymize === true ? ANONYMOUS_URI : recipient.uri)}" cp:copyControl="${recipient.copyControl}"/>`);
  const history = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<resource-lists xmlns="${RESOURCE_LISTS_NS}" xmlns:cp="${COPY_CONTROL_NS}"><list>${entries.join('')}</list></resource-lists>`,
  ].join('\r\n');
  const head = message.partHeaders === '' ? `--${boundary}\r\n\r\n` : `--${boundary}\r\n${message.partHeaders}\r\n\r\n`;
  const tail = [
    '',
    `--${boundary}`,
    `Content-Type: ${RESOURCE_LISTS}`,
    'Content-Disposition: recipient-list-history; handling=optional',
    '',
    history,
    `--${boundary}--`,
    '',
  ].join('\r\n');
  return { contentType: `multipart/mixed;boundary=${boundary}`, body: Buffer.concat([Buffer.from(head), message.body, Buffer.from(tail)]) };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
