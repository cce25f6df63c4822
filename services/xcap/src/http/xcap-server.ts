import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { XcapConditions, XcapDocumentRef } from '@presence/core';
import type { Logger } from '@presence/runtime';
import { checkAccess } from '../domain/access-rules.js';
import { renderXcapError, XCAP_ERROR_MIME } from '../domain/xcap-error-document.js';
import { XcapFailure } from '../domain/xcap-failure.js';
import { parseXcapUri, type XcapUri } from '../domain/xcap-uri.js';
import type { XcapDocuments, XcapReply } from '../documents/xcap-documents.js';
import { countRequest, type XcapMetrics } from './xcap-metrics.js';
import { readBody } from './request-body.js';

/** Who sent a request: an authenticated AOR, or nobody in particular when authentication is off. */
export type XcapRequester = { readonly aor: string } | { readonly open: true };

/** Authenticates a request for the document it names, or throws the XcapFailure to answer (401 with challenges, 403 locked out, 400 malformed). */
export interface XcapAuthenticator {
  authenticate(request: IncomingMessage, ref: XcapDocumentRef, secure: boolean): Promise<XcapRequester>;
}

export interface XcapServerOptions {
  readonly host: string;
  readonly port: number;
  /** PEM certificate and key: HTTPS instead of HTTP. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  readonly documents: XcapDocuments;
  readonly authenticator: XcapAuthenticator;
  readonly logger: Logger;
  readonly metrics?: XcapMetrics;
  /** Largest request body accepted (413 past it). */
  readonly maxBodyBytes?: number;
  /** A request's headers must arrive within this (slow-loris). */
  readonly headersTimeoutMs?: number;
  /** A keep-alive connection idle this long is closed. */
  readonly idleTimeoutMs?: number;
  /** How long stop() waits for requests in flight before closing their connections. */
  readonly drainMs?: number;
}

export const XCAP_DEFAULTS = Object.freeze({ maxBodyBytes: 512 * 1024, headersTimeoutMs: 10_000, idleTimeoutMs: 60_000, drainMs: 5_000 });

/**
 * The XCAP HTTP/1.1 listener (RFC 4825 over node:http or node:https, keep-alive):
 * parses the URI, authenticates, applies the access rules, hands the
 * operation to XcapDocuments and writes its reply. Every refusal is an
 * XcapFailure turned into its status, reason phrase and, for a 409, the
 * application/xcap-error+xml body.
 */
export class XcapServer {
  private readonly server: Server;
  private readonly inFlight = new Set<Promise<void>>();
  private address: AddressInfo | undefined;

  constructor(private readonly options: XcapServerOptions) {
    const handler = (request: IncomingMessage, response: ServerResponse): void => {
      const done = this.handle(request, response).finally(() => this.inFlight.delete(done));
      this.inFlight.add(done);
    };
    const headersTimeout = options.headersTimeoutMs ?? XCAP_DEFAULTS.headersTimeoutMs;
    // Node checks the header and request timeouts on this interval (30 s by default), so a slow-loris would outlive a short timeout.
    const limits = { headersTimeout, requestTimeout: 2 * headersTimeout, connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeout / 2))) };
    this.server = options.tls === undefined ? createHttpServer(limits, handler) : createHttpsServer({ ...limits, cert: options.tls.cert, key: options.tls.key }, handler);
    this.server.keepAliveTimeout = options.idleTimeoutMs ?? XCAP_DEFAULTS.idleTimeoutMs;
    this.server.on('clientError', (_error, socket) => socket.destroy());
  }

  async start(): Promise<{ host: string; port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.address = this.server.address() as AddressInfo;
    return { host: this.address.address, port: this.address.port };
  }

  /** Requests being handled now (headers read, reply not yet written). */
  get requestsInFlight(): number {
    return this.inFlight.size;
  }

  get port(): number {
    return this.address?.port ?? this.options.port;
  }

  /** A new certificate for new connections (SIGHUP). */
  reloadCertificate(certificate: { cert: string | Buffer; key: string | Buffer }): void {
    if ('setSecureContext' in this.server) (this.server as unknown as { setSecureContext(o: object): void }).setSecureContext(certificate);
  }

  /** Graceful drain: no new connections, idle ones closed, requests in flight answered (up to drainMs), then the rest cut. */
  async stop(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.drainMs ?? XCAP_DEFAULTS.drainMs);
    });
    await Promise.race([Promise.allSettled([...this.inFlight]), deadline]);
    clearTimeout(timer);
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    let uri: XcapUri | undefined;
    try {
      const url = new URL(request.url ?? '/', 'http://xcap.invalid');
      uri = parseXcapUri(url.pathname, url.search);
      const requester = await this.options.authenticator.authenticate(request, uri.ref, this.options.tls !== undefined);
      checkAccess('aor' in requester ? requester.aor : undefined, method, uri.ref);
      const reply = await this.dispatch(method, uri, request);
      countRequest(this.options.metrics, method, reply.status);
      writeReply(response, reply);
    } catch (error) {
      let failure: XcapFailure;
      if (error instanceof XcapFailure) {
        failure = error;
      } else {
        this.options.logger.error({ err: error, method }, 'xcap request failed');
        failure = new XcapFailure(500, 'Internal Server Error');
      }
      countRequest(this.options.metrics, method, failure.status);
      writeReply(response, failureReply(failure, uri), failure);
    }
  }

  private async dispatch(method: string, uri: XcapUri, request: IncomingMessage): Promise<XcapReply> {
    const conditions = readConditions(request);
    const documents = this.options.documents;
    if (method === 'GET') return documents.get(uri, conditions);
    if (method === 'PUT') return documents.put(uri, request.headers['content-type'], await readBody(request, this.options.maxBodyBytes ?? XCAP_DEFAULTS.maxBodyBytes), conditions);
    if (method === 'DELETE') return documents.delete(uri, conditions);
    throw new XcapFailure(405, `Method Not Allowed: ${method}`, undefined, { Allow: 'GET, PUT, DELETE' });
  }
}

/** The answer to a refusal: its reason as text, or for a 409 the xcap-error document, <ancestor> made absolute. */
function failureReply(failure: XcapFailure, uri: XcapUri | undefined): XcapReply {
  const conflict = failure.conflict;
  if (conflict === undefined) return { status: failure.status, contentType: 'text/plain; charset=utf-8', body: `${failure.reason}\n` };
  const located = conflict.ancestor === undefined || uri === undefined ? conflict : { ...conflict, ancestor: `${uri.documentPath}${conflict.ancestor}` };
  return { status: failure.status, contentType: XCAP_ERROR_MIME, body: renderXcapError(located) };
}

/** Writes the reply; a refusal's reason becomes the reason phrase (printable ASCII) and its headers (WWW-Authenticate, Allow) are added. */
function writeReply(response: ServerResponse, reply: XcapReply, failure?: XcapFailure): void {
  if (failure !== undefined) {
    response.statusMessage = failure.reason.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
    for (const [name, value] of Object.entries(failure.headers)) response.setHeader(name, value);
  }
  if (reply.etag !== undefined) response.setHeader('ETag', `"${reply.etag}"`);
  if (reply.body === undefined || reply.status === 304) {
    response.writeHead(reply.status);
    response.end();
    return;
  }
  const body = Buffer.from(reply.body, 'utf8');
  response.setHeader('Content-Type', reply.contentType ?? 'application/octet-stream');
  response.setHeader('Content-Length', body.length);
  response.writeHead(reply.status);
  response.end(body);
}

/**
 * If-Match / If-None-Match reduced to one entity tag each (RFC 9110 §13.1):
 * `*` or one quoted tag. A weak tag never matches (strong comparison); a
 * list of tags is refused with a 400 naming it, not half-read.
 */
export function readConditions(request: IncomingMessage): XcapConditions {
  const ifMatch = firstTag(request.headers['if-match']);
  const ifNoneMatch = firstTag(request.headers['if-none-match']);
  return { ...(ifMatch === undefined ? {} : { ifMatch }), ...(ifNoneMatch === undefined ? {} : { ifNoneMatch }) };
}

function firstTag(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return '*';
  const match = /^(W\/)?"([^"]*)"$/.exec(value);
  if (match === null) {
    const list = /^(W\/)?"[^"]*"\s*,/.test(value);
    throw new XcapFailure(400, list ? 'Bad Request: one entity tag per If-Match / If-None-Match, not a list' : `Bad Request: malformed entity tag "${value.slice(0, 60)}"`);
  }
  // A weak tag never matches a strong comparison: a tag no document has.
  return match[1] === undefined ? match[2]! : `W/${match[2]!}`;
}
