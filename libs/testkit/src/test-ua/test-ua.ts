import { tryParseSipUri } from '@presence/core';
import {
  createSipStack,
  newCallId,
  newTag,
  type HeaderFields,
  type IncomingRequest,
  type Logger,
  type SipResponse,
  type SipStack,
  type SipStackTimers,
  type TransportName,
} from '@presence/sip';
import { sharedTestCertificate, type TestCertificate } from '../tls/test-certificate.js';
import { DigestClient, type DigestCredentialsOptions } from './digest-client.js';
import { Inbox } from './inbox.js';
import { findHeader, mergeHeaders } from './merge-headers.js';
import { TestDialog } from './test-dialog.js';

export interface TestUaOptions {
  transport: TransportName;
  server: { host: string; port: number };
  /** e.g. sip:alice@example.com */
  aor: string;
  timers?: SipStackTimers;
  logger?: Logger;
  /** tls and wss: the certificate trusted (the server's) and presented by a tls UA's listener; default the process's shared test certificate. */
  certificate?: TestCertificate;
  /** Answer 401 challenges with these (RFC 3261 §22.2); without them a 401 is returned as it is. */
  credentials?: DigestCredentialsOptions;
  /** Largest message taken (default the stack's 64 KiB): a list subscriber's full state may be larger. */
  maxMessageBytes?: number;
}

export interface UaRequestOptions {
  /** Request-URI; default the domain for REGISTER, else the AOR. */
  uri?: string;
  /** Override or add headers (case-insensitive names), e.g. a fixed Call-ID. */
  headers?: HeaderFields;
  /** Text is sent UTF-8 encoded, bytes as they are. */
  body?: string | Uint8Array;
  expires?: number;
}

export interface SubscribeOptions {
  expires?: number;
  /** Default application/pidf+xml for presence, application/watcherinfo+xml for presence.winfo. */
  accept?: string;
  /** Default presence. */
  event?: string;
  headers?: HeaderFields;
  /** A body (xcap-diff names its resources in a resource-lists document, RFC 5875 §4); give its Content-Type in headers. */
  body?: string;
}

interface NotifySink {
  deliver(notify: IncomingRequest): void;
  close(): void;
}

const DEFAULT_ACCEPT: Readonly<Record<string, string>> = {
  presence: 'application/pidf+xml',
  'presence.winfo': 'application/watcherinfo+xml',
  'xcap-diff': 'application/xcap-diff+xml',
};

/** A first 401 is always answered, and a stale one after it once more. */
const MAX_ANSWERED_CHALLENGES = 2;

/** A SIP user agent for tests, on a real stack bound to 127.0.0.1:0 (no listener for ws and wss, as browsers). */
export class TestUa {
  /** Every request received, in order. */
  readonly requests: IncomingRequest[] = [];
  readonly contact: string;
  private readonly notifyInbox = new Inbox<IncomingRequest>('NOTIFY');
  private readonly cseqs = new Map<string, number>();
  /** NOTIFY receivers by Call-ID: dialogs, or a buffer while the SUBSCRIBE is pending. */
  private readonly dialogs = new Map<string, NotifySink>();
  private readonly registerCallId = newCallId();
  /** Where out-of-dialog requests go: the server given at creation. */
  readonly serverUri: string;
  private notifyAnswer: number | null = 200;
  private readonly messageInbox = new Inbox<IncomingRequest>('MESSAGE');
  private messageAnswer: number | null = 200;
  private readonly digest: DigestClient | undefined;

  private constructor(
    readonly stack: SipStack,
    readonly aor: string,
    readonly transport: TransportName,
    server: { host: string; port: number },
    credentials: DigestCredentialsOptions | undefined,
  ) {
    const user = tryParseSipUri(aor)?.user;
    this.contact = stack.contactUri(transport, user);
    this.digest = credentials === undefined ? undefined : new DigestClient(credentials, user ?? '');
    const host = server.host.includes(':') ? `[${server.host}]` : server.host;
    this.serverUri = `sip:${host}:${server.port};transport=${transport}`;
  }

  static async create(options: TestUaOptions): Promise<TestUa> {
    let ua: TestUa | undefined;
    const { transport } = options;
    const secure = transport === 'tls' || transport === 'wss';
    const certificate = secure ? (options.certificate ?? sharedTestCertificate()) : undefined;
    const stack = createSipStack({
      listen: transport === 'ws' || transport === 'wss' ? [] : [{ transport, host: '127.0.0.1', port: 0 }],
      tls: certificate && { certificate, trustedCa: certificate.cert },
      onRequest: (request) => ua?.onRequest(request),
      timers: options.timers,
      logger: options.logger,
      ...(options.maxMessageBytes === undefined ? {} : { limits: { maxMessageBytes: options.maxMessageBytes } }),
    });
    await stack.start();
    ua = new TestUa(stack, options.aor, options.transport, options.server, options.credentials);
    return ua;
  }

  /** NOTIFYs received (all dialogs), in order. */
  get notifies(): readonly IncomingRequest[] {
    return this.notifyInbox.items;
  }

  /** The next NOTIFY not yet handed out by this method. */
  nextNotify({ timeoutMs = 3000 }: { timeoutMs?: number } = {}): Promise<IncomingRequest> {
    return this.notifyInbox.next(timeoutMs);
  }

  /** Status for answering NOTIFYs (default 200); null leaves them unanswered to simulate a dead UA. */
  answerNotifiesWith(status: number | null): void {
    this.notifyAnswer = status;
  }

  /** MESSAGEs received (RFC 3428), in order. */
  get messages(): readonly IncomingRequest[] {
    return this.messageInbox.items;
  }

  /** The next MESSAGE not yet handed out by this method. */
  nextMessage({ timeoutMs = 3000 }: { timeoutMs?: number } = {}): Promise<IncomingRequest> {
    return this.messageInbox.next(timeoutMs);
  }

  /** Status for answering MESSAGEs (default 200); null leaves them unanswered, as a UA that went away. */
  answerMessagesWith(status: number | null): void {
    this.messageAnswer = status;
  }

  /** A page-mode MESSAGE (RFC 3428) to `recipient` through the server, text/plain unless the headers say otherwise. */
  sendMessage(recipient: string, body: string | Uint8Array, options: Omit<UaRequestOptions, 'uri' | 'body'> = {}): Promise<SipResponse> {
    return this.request('MESSAGE', { ...options, uri: recipient, body, headers: mergeHeaders({ 'Content-Type': 'text/plain;charset=utf-8' }, options.headers) });
  }

  /** Out-of-dialog request to the server with From (new tag), To, Call-ID, CSeq (per Call-ID), Contact. */
  request(method: string, options: UaRequestOptions = {}): Promise<SipResponse> {
    const uri = options.uri ?? (method === 'REGISTER' ? `sip:${tryParseSipUri(this.aor)?.host ?? ''}` : this.aor);
    const callId = findHeader(options.headers, 'call-id') ?? (method === 'REGISTER' ? this.registerCallId : newCallId());
    const defaults: Record<string, string> = {
      From: `<${this.aor}>;tag=${newTag()}`,
      To: `<${method === 'REGISTER' ? this.aor : uri}>`,
      'Call-ID': callId,
      CSeq: `${this.nextCSeq(callId)} ${method}`,
      Contact: `<${this.contact}>`,
    };
    if (options.expires !== undefined) defaults.Expires = String(options.expires);
    return this.send(method, uri, mergeHeaders(defaults, options.headers), this.serverUri, options.body);
  }

  /** SUBSCRIBE creating a dialog (RFC 6665 §4.1.2). The dialog is returned even for a failure response. */
  async subscribe(presentity: string, options: SubscribeOptions = {}): Promise<{ response: SipResponse; dialog: TestDialog }> {
    const event = options.event ?? 'presence';
    const accept = options.accept ?? DEFAULT_ACCEPT[event];
    const callId = newCallId();
    const localTag = newTag();
    this.cseqs.set(callId, 1);
    const defaults: Record<string, string> = {
      From: `<${this.aor}>;tag=${localTag}`,
      To: `<${presentity}>`,
      'Call-ID': callId,
      CSeq: '1 SUBSCRIBE',
      Contact: `<${this.contact}>`,
      Event: event,
    };
    if (accept !== undefined) defaults.Accept = accept;
    if (options.expires !== undefined) defaults.Expires = String(options.expires);
    // Register the dialog before sending: a NOTIFY may overtake the 2xx (RFC 6665 §4.1.2.4).
    const early: IncomingRequest[] = [];
    this.dialogs.set(callId, { deliver: (n) => early.push(n), close: () => undefined });
    const response = await this.send('SUBSCRIBE', presentity, mergeHeaders(defaults, options.headers), this.serverUri, options.body);
    const dialog = new TestDialog(this, { callId, localTag, presentity, event, accept }, response);
    this.dialogs.set(callId, dialog);
    for (const notify of early) dialog.deliver(notify);
    return { response, dialog };
  }

  /**
   * Sends a request; with credentials, a held nonce goes along (next count)
   * unless the headers carry an Authorization, and a 401 is answered: the
   * request again with the next CSeq and an Authorization (RFC 3261 §22.2),
   * and again after a 401 with stale=true. A second 401 that is not stale
   * (wrong credentials) is returned.
   */
  async send(method: string, uri: string, headers: HeaderFields, target: string, body?: string | Uint8Array): Promise<SipResponse> {
    const digest = this.digest;
    if (digest === undefined) return this.sendOnce(method, uri, headers, target, body);
    let current: HeaderFields = headers;
    const held = findHeader(headers, 'authorization') === undefined ? digest.preemptive(method, uri) : undefined;
    if (held !== undefined) current = mergeHeaders(current, { Authorization: held });
    let response = await this.sendOnce(method, uri, current, target, body);
    for (let answered = 0; response.status === 401 && answered < MAX_ANSWERED_CHALLENGES; answered++) {
      if (answered > 0 && !DigestClient.isStale(response)) break;
      const authorization = digest.answer(response, method, uri);
      if (authorization === undefined) break;
      const callId = findHeader(current, 'call-id') ?? '';
      const cseq = this.cseqAbove(callId, Number.parseInt(findHeader(current, 'cseq') ?? '0', 10));
      current = mergeHeaders(current, { CSeq: `${cseq} ${method}`, Authorization: authorization });
      response = await this.sendOnce(method, uri, current, target, body);
    }
    return response;
  }

  /** Sends a request as it is: no Authorization added, a 401 returned unanswered. */
  sendOnce(method: string, uri: string, headers: HeaderFields, target: string, body?: string | Uint8Array): Promise<SipResponse> {
    return this.stack.sendRequest({ method, uri, headers, body }, { uri: target });
  }

  async close(): Promise<void> {
    this.notifyInbox.close();
    this.messageInbox.close();
    for (const dialog of this.dialogs.values()) dialog.close();
    await this.stack.stop();
  }

  /** The next CSeq number on `callId` (dialogs and out-of-dialog requests alike, retries after a 401 included). */
  nextCSeq(callId: string): number {
    const next = (this.cseqs.get(callId) ?? 0) + 1;
    this.cseqs.set(callId, next);
    return next;
  }

  /** A CSeq above both `used` and every one sent on `callId`: a request answering a challenge is a new transaction. */
  private cseqAbove(callId: string, used: number): number {
    const next = Math.max(this.cseqs.get(callId) ?? 0, Number.isFinite(used) ? used : 0) + 1;
    this.cseqs.set(callId, next);
    return next;
  }

  private onRequest(request: IncomingRequest): void {
    this.requests.push(request);
    if (request.method === 'MESSAGE') {
      this.messageInbox.push(request);
      if (this.messageAnswer !== null) request.respond(this.messageAnswer);
      return;
    }
    if (request.method !== 'NOTIFY') {
      request.respond(200);
      return;
    }
    this.notifyInbox.push(request);
    this.dialogs.get(request.callId)?.deliver(request);
    if (this.notifyAnswer !== null) request.respond(this.notifyAnswer);
  }
}

/** Starts a test user agent; `close()` it when done. */
export function createTestUa(options: TestUaOptions): Promise<TestUa> {
  return TestUa.create(options);
}
