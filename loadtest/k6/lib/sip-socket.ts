/**
 * One SIP user agent over one k6 WebSocket (RFC 7118): sends requests and
 * resolves each with its final response, answers the server's requests
 * (NOTIFY) through a handler, and answers digest challenges when a password
 * is configured. Event driven: a k6 iteration lasts until every socket is
 * closed and every timer has fired, so close() what you open.
 */
import crypto from 'k6/crypto';
import { clearTimeout, setTimeout } from 'k6/timers';
import { WebSocket } from 'k6/websockets';
import { type DigestChallenge, digestAuthorization, parseDigestChallenge } from './digest.ts';
import { type SipMessage, buildRequest, buildResponse, header, parseSipMessage, randomToken, topViaBranch } from './sip-message.ts';

/** A request without the transport parts (Via, branch) the socket adds. */
export interface RequestSpec {
  readonly method: string;
  readonly uri: string;
  readonly from: string;
  readonly to: string;
  readonly callId: string;
  readonly cseq: number;
  readonly headers?: readonly string[];
  readonly contentType?: string;
  readonly body?: string;
  /** Add `Contact: <sip:USER@our-host;transport=ws>` (REGISTER, SUBSCRIBE). */
  readonly contactUser?: string;
}

export interface RequestOutcome {
  /** The final response; undefined on timeout or a closed socket (see `error`). */
  readonly response?: SipMessage;
  /** The CSeq the request went out with last (a digest retry takes the next one). */
  readonly cseq: number;
  readonly error?: string;
  readonly elapsedMs: number;
}

/** Answers a request from the server: the status to respond with (200, 481, …). */
export type RequestHandler = (request: SipMessage) => number;

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

interface Pending {
  resolve(response: SipMessage | undefined, error?: string): void;
}

const REASONS: Record<number, string> = { 200: 'OK', 481: 'Call/Transaction Does Not Exist', 489: 'Bad Event', 501: 'Not Implemented' };

export class SipSocket {
  /** RFC 7118 §5.2: a WebSocket client has no reachable address; it names itself with a random .invalid host. */
  readonly host = `${randomToken(10)}.invalid`;
  private readonly pending = new Map<string, Pending>();
  /** Latest challenge per realm, reused with a growing nonce count so most requests need no 401 round trip. */
  private challenge: { header: string; value: DigestChallenge; nc: number } | undefined;
  private closedReason: string | undefined;
  private onClosed: (() => void) | undefined;

  private constructor(
    private readonly ws: WebSocket,
    private readonly timeoutMs: number,
    private readonly handler: RequestHandler,
    private readonly credentials: Credentials | undefined,
  ) {}

  /** Opens `url` with subprotocol sip; rejects if the handshake fails. */
  static open(url: string, options: { timeoutMs: number; onRequest?: RequestHandler; credentials?: Credentials }): Promise<SipSocket> {
    // The subprotocol goes in a header: @types/k6 still types the constructor's
    // protocols argument as reserved (null), and every k6 version sends this header as given.
    const ws = new WebSocket(url, null, { headers: { 'Sec-WebSocket-Protocol': 'sip' } });
    const socket = new SipSocket(ws, options.timeoutMs, options.onRequest ?? (() => 501), options.credentials);
    return new Promise((resolve, reject) => {
      let opened = false;
      ws.onopen = () => {
        opened = true;
        resolve(socket);
      };
      ws.onmessage = (event) => socket.receive(event?.data);
      ws.onerror = (event) => {
        socket.closedReason = `websocket error: ${event?.error ?? 'unknown'}`;
      };
      ws.onclose = () => {
        const reason = socket.closedReason ?? 'websocket closed';
        socket.closedReason = reason;
        for (const [, pending] of socket.pending) pending.resolve(undefined, reason);
        socket.pending.clear();
        socket.onClosed?.();
        if (!opened) reject(new Error(`cannot open ${url}: ${reason}`));
      };
    });
  }

  /** Closed by us or by the server. */
  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  /** `<sip:user@host;transport=ws>` */
  contact(user: string): string {
    return `<sip:${user}@${this.host};transport=ws>`;
  }

  /** Sends `spec`; on a 401/407 with credentials configured, answers the challenge once (next CSeq). */
  async request(spec: RequestSpec): Promise<RequestOutcome> {
    const started = Date.now();
    let cseq = spec.cseq;
    let authorization = this.cachedAuthorization(spec);
    for (let attempt = 0; ; attempt++) {
      const { response, error } = await this.transaction({ ...spec, cseq }, authorization);
      const challenged = response !== undefined && (response.status === 401 || response.status === 407);
      if (!challenged || this.credentials === undefined || attempt > 0) return { response, cseq, error, elapsedMs: Date.now() - started };
      const name = response.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
      const value = parseDigestChallenge(header(response, name) ?? '');
      if (value === undefined) return { response, cseq, error: `unusable ${name}`, elapsedMs: Date.now() - started };
      this.challenge = { header: response.status === 401 ? 'Authorization' : 'Proxy-Authorization', value, nc: 0 };
      authorization = this.cachedAuthorization(spec);
      cseq++;
    }
  }

  /** Closes the WebSocket; resolves once it is closed. */
  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.onClosed = resolve;
      if (this.closedReason === undefined) this.closedReason = 'closed by the script';
      this.ws.close();
    });
  }

  private cachedAuthorization(spec: RequestSpec): string | undefined {
    if (this.challenge === undefined || this.credentials === undefined) return undefined;
    this.challenge.nc++;
    const value = digestAuthorization(
      this.challenge.value,
      { ...this.credentials, method: spec.method, uri: spec.uri, nc: this.challenge.nc, cnonce: randomToken(16) },
      (algorithm, text) => (algorithm === 'MD5' ? crypto.md5(text, 'hex') : crypto.sha256(text, 'hex')),
    );
    return `${this.challenge.header}: ${value}`;
  }

  private transaction(spec: RequestSpec, authorization: string | undefined): Promise<{ response?: SipMessage; error?: string }> {
    if (this.closedReason !== undefined) return Promise.resolve({ error: this.closedReason });
    const branch = `z9hG4bK${randomToken(16)}`;
    const headers = authorization === undefined ? spec.headers : [...(spec.headers ?? []), authorization];
    const text = buildRequest({
      ...spec,
      headers,
      via: `SIP/2.0/WS ${this.host}`,
      branch,
      contact: spec.contactUser === undefined ? undefined : this.contact(spec.contactUser),
    });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(branch);
        resolve({ error: `no final response to ${spec.method} within ${this.timeoutMs} ms` });
      }, this.timeoutMs);
      this.pending.set(branch, {
        resolve: (response, error) => {
          clearTimeout(timer);
          resolve(response === undefined ? { error } : { response });
        },
      });
      this.ws.send(text);
    });
  }

  private receive(data: unknown): void {
    const message = typeof data === 'string' ? parseSipMessage(data) : undefined;
    if (message === undefined) return; // keep-alive CRLF or a binary frame: nothing to answer
    if (message.status === 0) {
      const status = this.handler(message);
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send(buildResponse(message, status, REASONS[status] ?? 'Response'));
      return;
    }
    if (message.status < 200) return; // provisional: wait for the final one
    const branch = topViaBranch(message);
    const pending = branch === undefined ? undefined : this.pending.get(branch);
    if (pending === undefined || branch === undefined) return; // late answer to a request we gave up on
    this.pending.delete(branch);
    pending.resolve(message);
  }
}
