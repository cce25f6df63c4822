import type { Logger } from '../logger.js';
import type { ResponseOptions } from '../message/message-types.js';
import { newTag } from '../ids/random-ids.js';
import type { WireObserver } from '../stack/stack-types.js';
import type { InternalFlow } from '../transport/internal-flow.js';
import type { HeaderMap } from '../wire/header-names.js';
import { reasonPhrase, writableReasonPhrase } from '../wire/reason-phrases.js';
import { appendHeaderFields, appendRaw, finishMessage, type DefaultHeader, type HeaderFields } from '../wire/serialize.js';
import { DeadlineFifo, NO_TIMER } from './deadline-fifo.js';
import type { TimerConfig } from './timer-config.js';

/** Headers of a response that come from the request and may not be set by the application (§8.2.6.2); canonical names. */
const RESERVED: ReadonlySet<string> = new Set(['Via', 'From', 'To', 'Call-ID', 'CSeq', 'Content-Length']);
const RELEASED: HeaderMap = new Map();
const NO_HEADERS: HeaderFields = {};

/** A non-INVITE server transaction (RFC 3261 §17.2.2); INVITEs are handled the same way and rejected by the application. */
export class ServerTransaction {
  /**
   * The last response's bytes as a latin1 string (one byte per character, so
   * Buffer.from(…, 'latin1') restores them exactly). Not the Buffer itself: a
   * small Buffer is a slice of an 8 KB pool slab, and holding it for Timer J
   * (32 s) pins the whole slab in malloc's heap, which then cannot shrink.
   */
  lastResponse: string | undefined;
  final = false;
  /** Status of the final response, once sent. */
  finalStatus: number | undefined;
  ended = false;
  /** Whether the request's To had a tag; undefined when To could not be parsed. */
  toHasTag: boolean | undefined;
  localTag: string | undefined;
  timer = NO_TIMER;

  constructor(
    readonly key: string,
    readonly method: string,
    readonly flow: InternalFlow,
    /** Request headers; released after the final response (only lastResponse is kept for Timer J). */
    public fields: HeaderMap,
    /** Via entries, top one already carrying received/rport. */
    public vias: readonly string[],
  ) {}
}

export interface ServerTransactionEvents {
  readonly logger: Logger | undefined;
  responseSent(method: string, status: number): void;
  /** Every response handed to its flow, retransmissions too (message tracing). */
  readonly wire?: WireObserver | undefined;
}

export class ServerTransactions {
  private readonly map = new Map<string, ServerTransaction>();
  private readonly deadlines: DeadlineFifo<ServerTransaction>;

  constructor(
    timers: TimerConfig,
    private readonly events: ServerTransactionEvents,
    /** Added to every response that does not name them, e.g. Server (RFC 3261 §20.35). */
    private readonly defaults: readonly DefaultHeader[] = [],
  ) {
    this.deadlines = new DeadlineFifo(timers.timerJ, (tx) => this.expire(tx));
  }

  get size(): number {
    return this.map.size;
  }

  find(key: string): ServerTransaction | undefined {
    return this.map.get(key);
  }

  /**
   * Starts a transaction. Its single timer first bounds how long the
   * application may take to answer (64*T1, after which the client has given
   * up, §17.1.2.2), then serves as Timer J on unreliable transports.
   */
  create(key: string, method: string, flow: InternalFlow, fields: HeaderMap, vias: readonly string[]): ServerTransaction {
    const tx = new ServerTransaction(key, method, flow, fields, vias);
    this.map.set(key, tx);
    tx.timer = this.deadlines.schedule(tx);
    return tx;
  }

  /** A transaction that is never registered: for a stateless answer (respondStatelessly), RFC 3261 §8.2.7. */
  detached(key: string, method: string, flow: InternalFlow, fields: HeaderMap, vias: readonly string[]): ServerTransaction {
    return new ServerTransaction(key, method, flow, fields, vias);
  }

  /** Sends one final response and keeps nothing: no Timer J, a retransmission is a new request. */
  respondStatelessly(tx: ServerTransaction, status: number, reason: string, options: ResponseOptions): void {
    const data = this.serialize(tx, status, writableReasonPhrase(reason), options);
    tx.final = true;
    tx.ended = true;
    if (!tx.flow.send(data)) return;
    this.events.responseSent(tx.method, status);
    this.events.wire?.('out', data, tx.flow);
  }

  /** Sends a response; anything after the final response is ignored (§17.2.2). */
  respond(tx: ServerTransaction, status: number, reason: string | undefined, options: ResponseOptions | undefined): void {
    if (!Number.isInteger(status) || status < 100 || status > 699) throw new RangeError(`invalid status ${status}`);
    if (tx.final || tx.ended) {
      this.events.logger?.debug({ status, method: tx.method }, 'response after final response ignored');
      return;
    }
    const data = this.serialize(tx, status, reason === undefined ? reasonPhrase(status) : writableReasonPhrase(reason), options);
    tx.lastResponse = tx.flow.reliable ? undefined : data.toString('latin1');
    if (tx.flow.send(data)) {
      this.events.responseSent(tx.method, status);
      this.events.wire?.('out', data, tx.flow);
    } else this.events.logger?.debug({ status, flow: tx.flow.token }, 'response not sent: flow gone');
    if (status < 200) return;
    tx.final = true;
    tx.finalStatus = status;
    tx.fields = RELEASED;
    tx.vias = [];
    if (tx.flow.reliable) {
      this.end(tx); // Timer J = 0 on reliable transports
    } else {
      // Timer J = 64*T1 from now: absorb retransmissions. Scheduled before the
      // cancel so the fifo never runs empty and re-creates its Node timer.
      const previous = tx.timer;
      tx.timer = this.deadlines.schedule(tx);
      this.deadlines.cancel(previous);
    }
  }

  /** Re-sends the last response for a retransmitted request (§17.2.2); nothing if none yet. */
  retransmit(tx: ServerTransaction): void {
    if (tx.lastResponse === undefined) return;
    const data = Buffer.from(tx.lastResponse, 'latin1');
    if (tx.flow.send(data)) this.events.wire?.('out', data, tx.flow);
  }

  private serialize(tx: ServerTransaction, status: number, reason: string, options: ResponseOptions | undefined): Buffer {
    const fields = tx.fields;
    let head = `SIP/2.0 ${status} ${reason}\r\n`;
    for (const via of tx.vias) head += `Via: ${via}\r\n`;
    head = appendRaw(head, fields, 'from');
    const to = fields.get('to')?.[0];
    if (to !== undefined) {
      // §8.2.6.2: add a To tag unless the request had one (optional for 100).
      if (tx.toHasTag === false && (status > 100 || options?.toTag !== undefined)) {
        tx.localTag = options?.toTag ?? tx.localTag ?? newTag();
        head += `To: ${to};tag=${tx.localTag}\r\n`;
      } else head += `To: ${to}\r\n`;
    }
    head = appendRaw(head, fields, 'call-id');
    head = appendRaw(head, fields, 'cseq');
    head = appendHeaderFields(head, options?.headers ?? NO_HEADERS, RESERVED, this.defaults);
    return finishMessage(head, options?.body);
  }

  private expire(tx: ServerTransaction): void {
    if (!tx.final) {
      this.events.logger?.warn({ method: tx.method }, `no final response within 64*T1; server transaction dropped`);
    }
    this.end(tx);
  }

  private end(tx: ServerTransaction): void {
    tx.ended = true;
    this.deadlines.cancel(tx.timer);
    tx.timer = NO_TIMER;
    if (this.map.get(tx.key) === tx) this.map.delete(tx.key);
  }

  stop(): void {
    for (const tx of this.map.values()) {
      tx.ended = true;
      tx.timer = NO_TIMER;
    }
    this.map.clear();
    this.deadlines.stop();
  }
}
