import type { IncomingMessage } from 'node:http';
import type { AdminAccess, AdminApi, AdminReply, AdminRequest } from './admin-api.js';
import { adminError } from './admin-api.js';
import { adminRefusal } from './admin-gate.js';

const PREFIX = '/admin/v1/';
/** Admin bodies are a few fields of JSON; anything bigger is refused, never buffered. */
const MAX_BODY_BYTES = 16 * 1024;

export interface AdminMount {
  readonly api: AdminApi;
  readonly access: AdminAccess;
}

/**
 * One request under /admin/: the access check first (nothing of the request
 * is read before it passes), then the path, the body and the role's answer.
 * Never rejects: every failure is a status with a JSON reason.
 */
export async function answerAdmin(mount: AdminMount | undefined, req: IncomingMessage, boundAddress: string): Promise<AdminReply> {
  if (mount === undefined) return adminError(404, 'this process serves no admin API');
  const refusal = adminRefusal(mount.access, boundAddress, req.headers.authorization);
  if (refusal !== undefined) return refusal;
  const url = new URL(req.url ?? '/', 'http://admin.invalid');
  if (!url.pathname.startsWith(PREFIX)) return adminError(404, `unknown admin path ${url.pathname}: the API lives under ${PREFIX}`);
  let segments: string[];
  try {
    segments = url.pathname.slice(PREFIX.length).split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  } catch {
    return adminError(400, 'malformed percent-encoding in the path');
  }
  const body = await readJsonBody(req);
  if ('refusal' in body) return body.refusal;
  const request: AdminRequest = { method: req.method ?? 'GET', segments, query: url.searchParams, body: body.value };
  try {
    return await mount.api.handle(request);
  } catch (error) {
    return adminError(500, `admin request failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function readJsonBody(req: IncomingMessage): Promise<{ value: unknown } | { refusal: AdminReply }> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return { refusal: adminError(413, `body over ${MAX_BODY_BYTES} bytes`) };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return { refusal: adminError(413, `body over ${MAX_BODY_BYTES} bytes`) };
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return { value: undefined };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return { refusal: adminError(400, 'the body is not JSON') };
  }
}
