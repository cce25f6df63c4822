import type { IncomingMessage } from 'node:http';
import { XcapFailure } from '../domain/xcap-failure.js';

/** Reads the request body, refusing (413) once it passes `maxBytes`, whether or not Content-Length announced it. */
export async function readBody(request: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers['content-length'] ?? '0');
  if (declared > maxBytes) throw new XcapFailure(413, `Content Too Large: the body exceeds ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new XcapFailure(413, `Content Too Large: the body exceeds ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
