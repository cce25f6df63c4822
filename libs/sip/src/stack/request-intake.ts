import { MESSAGE_TOO_LARGE } from '../wire/stream-framer.js';
import type { Logger } from '../logger.js';
import type { IncomingRequest, SipRequest } from '../message/message-types.js';
import { bodyProblem } from '../message/body-problem.js';
import { readCoreHeaders } from '../message/read-core-headers.js';
import { requestProblem } from '../message/request-problem.js';
import type { ServerTransaction, ServerTransactions } from '../transaction/server-transactions.js';
import type { InternalFlow } from '../transport/internal-flow.js';
import type { HeaderMap } from '../wire/header-names.js';
import type { ParsedMessage } from '../wire/parse-message.js';
import { SipParseError } from '../wire/sip-parse-error.js';
import { splitHeaderList } from '../wire/split-list.js';
import { formatVia, MAGIC_COOKIE, parseVia, type Via } from '../wire/via.js';
import { IncomingRequestImpl } from './incoming-request.js';
import { RequestAdmission, type AdmissionLimits } from './request-admission.js';
import { ScreenedRequestView, statelessTag, toHasTag, type RequestScreen } from './request-screen.js';
import type { SipStackCounters } from './stack-types.js';

/** Methods a CANCEL may target (the original shares its branch, RFC 3261 §9.2). */
const CANCELLABLE = ['INVITE', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'REGISTER', 'MESSAGE', 'OPTIONS', 'REFER', 'INFO', 'UPDATE'];

export interface IntakeContext {
  readonly logger: Logger | undefined;
  readonly admission: AdmissionLimits | undefined;
  readonly counters: SipStackCounters;
  /** Decides on each new request before any work is spent on it (request-screen.ts). */
  readonly screen: RequestScreen | undefined;
  onRequest(request: IncomingRequest): void | Promise<void>;
  onHandlerError: ((error: unknown, request: SipRequest) => void) | undefined;
  dropped(reason: string, transport: string, remote: string): void;
}

/**
 * Validates incoming requests, matches them to server transactions (a
 * retransmission is answered at once) and queues new ones for admission
 * (request-admission.ts), which hands them to the application.
 */
export class RequestIntake {
  private readonly admission: RequestAdmission<IncomingRequestImpl>;

  constructor(
    private readonly transactions: ServerTransactions,
    private readonly ctx: IntakeContext,
  ) {

    this.admission = new RequestAdmission(ctx.admission ?? {}, {
      start: (request) => this.dispatch(request),
      // RFC 3261 §21.5.4: 503 with Retry-After, so the client backs off instead of retransmitting.
      shed: (request, retryAfterS, cause) => {
        ctx.counters.requestsShed++;
        ctx.logger?.debug({ method: request.method, flow: request.flow.token, cause }, 'request shed: 503');
        request.respond(503, undefined, { headers: { 'Retry-After': String(retryAfterS) } });
      },
    });
  }

  /** Every message read (responses too): how many a turn reads tells whether the socket has a backlog. */
  messageRead(): void {
    this.admission.messageRead();
  }

  /** Requests read but not yet handed to the application. */
  get queued(): number {
    return this.admission.queued;
  }

  /** Requests read and not yet settled: waiting plus running in the application. */
  get inProgress(): number {
    return this.admission.queued + this.admission.running;
  }

  stop(): void {
    this.admission.stop();
  }

  handle(message: ParsedMessage, flow: InternalFlow): void {
    const method = message.method as string;
    const fields = message.headers;
    const viaValues = fields.get('via');
    if (viaValues === undefined) {
      this.ctx.dropped('request without Via', flow.transport, `${flow.remoteAddress}:${flow.remotePort}`);
      return;
    }
    this.ctx.counters.requestsReceived++;
    const vias: string[] = [];
    for (const value of viaValues) splitHeaderList(value, vias);
    const top = vias.length > 0 ? parseVia(vias[0] as string) : undefined;
    if (top !== undefined) {
      // RFC 3261 §18.2.1: received; RFC 3581 §4: fill in rport when asked.
      top.params.received = flow.remoteAddress;
      if ('rport' in top.params) top.params.rport = String(flow.remotePort);
      vias[0] = formatVia(top);
      fields.set('via', vias);
    }
    // ACK only ever acknowledges our non-2xx answers to INVITE: nothing to do (§17.2.1).
    if (method === 'ACK') return;

    const key = serverKey(method, top, fields, vias[0] as string);
    const existing = this.transactions.find(key);
    if (existing !== undefined) {
      this.ctx.counters.retransmissionsAbsorbed++;
      this.transactions.retransmit(existing);
      return;
    }
    if (this.ctx.screen !== undefined && this.screenedOut(this.ctx.screen, key, method, top !== undefined, flow, fields, vias)) return;
    const tx = this.transactions.create(key, method, flow, fields, vias);
    if (top === undefined) return this.reject(tx, 'Malformed Via');
    if (message.framingError === MESSAGE_TOO_LARGE) return this.reject(tx, MESSAGE_TOO_LARGE, 513); // RFC 3261 §21.5.14
    // RFC 3261 §21.5.6: another SIP version, answered in ours (its Via still routes the answer).
    if (message.unsupportedVersion !== undefined) return this.reject(tx, 'Version Not Supported', 505);
    if (message.framingError !== undefined) return this.reject(tx, message.framingError);
    const core = readCoreHeaders(fields);
    if (typeof core === 'string') return this.reject(tx, core);
    tx.toHasTag = core.to.params.tag !== undefined;
    // §8.2 / §20.16: the CSeq method must match the request method.
    if (core.cseq.method !== method) return this.reject(tx, 'CSeq method does not match');
    if (method === 'CANCEL') return this.cancel(tx, key);

    const request = new IncomingRequestImpl(method, message.uri, flow, fields, message.bodyBytes, core, tx, this.transactions);
    const problem = requestProblem(request) ?? bodyProblem(request.header('content-type'), message.bodyIsUtf8 !== false);
    if (problem !== undefined) return this.reject(tx, problem);
    this.admission.offer(request);
  }

  /** Applies the screen; true when the request was dropped or refused (answered 503 without a transaction). */
  private screenedOut(screen: RequestScreen, key: string, method: string, routable: boolean, flow: InternalFlow, fields: HeaderMap, vias: string[]): boolean {
    const verdict = screen(new ScreenedRequestView(method, flow.transport, flow.remoteAddress, this.inProgress, fields));
    if (verdict === undefined) return false;
    this.ctx.counters.requestsScreenedOut++;
    this.admission.readScreenedOut();
    // Without a readable Via the answer has nowhere to go (§18.2.2): dropped like any over-limit datagram.
    if (verdict === 'drop' || !routable) return true;
    const tx = this.transactions.detached(key, method, flow, fields, vias);
    makeEchoSafe(tx);
    tx.toHasTag = toHasTag(fields);
    tx.localTag = statelessTag(key);
    this.transactions.respondStatelessly(tx, 503, verdict.reason, { headers: { 'Retry-After': String(verdict.retryAfterS) } });
    return true;
  }

  private reject(tx: ServerTransaction, reason: string, status = 400): void {
    makeEchoSafe(tx);
    tx.toHasTag = toHasTag(tx.fields);
    this.ctx.logger?.debug({ status, reason, method: tx.method, flow: tx.flow.token }, 'bad request');
    this.transactions.respond(tx, status, reason, undefined);
  }

  /** RFC 3261 §9.2: 200 to a CANCEL that matches a transaction (487 to a pending INVITE), else 481. */
  private cancel(tx: ServerTransaction, key: string): void {
    const rest = key.slice('CANCEL '.length);
    for (const method of CANCELLABLE) {
      const target = this.transactions.find(`${method} ${rest}`);
      if (target === undefined) continue;
      this.transactions.respond(tx, 200, undefined, undefined);
      if (method === 'INVITE' && !target.final) this.transactions.respond(target, 487, undefined, undefined);
      return;
    }
    this.transactions.respond(tx, 481, undefined, undefined);
  }

  /** Runs the application's handler; the promise (when it returns one) settles when the handler is done. */
  private dispatch(request: IncomingRequestImpl): Promise<void> | undefined {
    let result: void | Promise<void>;
    try {
      result = this.ctx.onRequest(request);
    } catch (error) {
      this.handlerFailed(error, request);
      return undefined;
    }
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
      return (result as Promise<void>).then(undefined, (error: unknown) => this.handlerFailed(error, request));
    }
    return undefined;
  }

  private handlerFailed(error: unknown, request: IncomingRequestImpl): void {
    if (!request.answered) {
      try {
        request.respond(error instanceof SipParseError ? 400 : 500);
      } catch {
        // the flow may be gone; nothing else to do
      }
    }
    try {
      if (this.ctx.onHandlerError !== undefined) this.ctx.onHandlerError(error, request);
      else this.ctx.logger?.error({ err: error, method: request.method }, 'request handler failed');
    } catch (reportError) {
      this.ctx.logger?.error({ err: reportError }, 'onHandlerError threw');
    }
  }
}

/**
 * Server transaction key (RFC 3261 §17.2.3): method + branch + sent-by for
 * RFC 3261 branches; for RFC 2543 clients, Call-ID + CSeq + From + top Via.
 */
function serverKey(method: string, top: Via | undefined, fields: HeaderMap, topVia: string): string {
  const branch = top?.params.branch;
  if (top !== undefined && typeof branch === 'string' && branch.startsWith(MAGIC_COOKIE)) {
    return `${method} ${branch} ${top.host.toLowerCase()}:${top.port ?? ''}`;
  }
  const get = (name: string): string => fields.get(name)?.[0] ?? '';
  return `${method} ~${get('call-id')}|${get('cseq')}|${get('from')}|${topVia}`;
}

const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
const CONTROLS = new RegExp(CONTROL.source, 'g');
const ECHOED = ['from', 'to', 'call-id', 'cseq'];

/**
 * A response copies Via, From, To, Call-ID and CSeq from the request
 * (RFC 3261 §8.2.6.2). A 400 for a control character in one of them must not
 * copy it (it would break lines for a lenient reader), so each is written
 * with a space in its place; the client still matches the 400 by its Via
 * branch and CSeq method (§17.1.3).
 */
function makeEchoSafe(tx: ServerTransaction): void {
  if (tx.vias.some((via) => CONTROL.test(via))) tx.vias = tx.vias.map(withoutControls);
  for (const name of ECHOED) {
    const values = tx.fields.get(name);
    if (values?.some((value) => CONTROL.test(value))) tx.fields.set(name, values.map(withoutControls));
  }
}

function withoutControls(value: string): string {
  return value.replace(CONTROLS, ' ');
}
