import type { Logger } from '../logger.js';
import type { SipResponse } from '../message/message-types.js';
import { synthesizeResponse, type ResponseView } from '../message/response-view.js';
import type { WireObserver } from '../stack/stack-types.js';
import type { FlowUser, InternalFlow } from '../transport/internal-flow.js';
import type { HeaderFields } from '../wire/serialize.js';
import { DeadlineFifo, NO_TIMER } from './deadline-fifo.js';
import type { TimerConfig } from './timer-config.js';

const TRYING = 0;
const PROCEEDING = 1;
const COMPLETED = 2;
const RELEASED = Buffer.alloc(0);
const NO_HEADERS: HeaderFields = {};
/** A completed transaction's resolver: its response went to the first one (a resolver keeps its value alive). */
const SETTLED = (): void => {};

/** A non-INVITE client transaction (RFC 3261 §17.1.2). */
export class ClientTransaction implements FlowUser {
  state = TRYING;
  /** Index of the current Timer E interval in ClientTransactions' retransmission fifos. */
  stepE = 0;
  timerE = NO_TIMER;
  /** When Timer E last fired: the next interval counts from then, not from the deferred retransmission. */
  firedE = 0;
  /** Timer F while pending, Timer K once completed. */
  timerF = NO_TIMER;

  constructor(
    readonly branch: string,
    readonly method: string,
    /** The serialized request; released once completed (Timer K keeps only the branch). */
    public data: Buffer,
    readonly flow: InternalFlow,
    public headers: HeaderFields,
    /** Our Via, echoed in a synthesized response; released with the request once completed. */
    public via: string,
    /** Released once completed: a resolver holds on to the response it was given. */
    public resolve: (response: SipResponse) => void,
    private readonly owner: ClientTransactions,
  ) {}

  flowFailed(): void {
    this.owner.fail(this, 503, 'Service Unavailable', 'transport failure');
  }
}

export interface ClientTransactionEvents {
  readonly logger: Logger | undefined;
  requestSent(): void;
  timedOut(): void;
  transportFailed(): void;
  /** Every request handed to its flow, retransmissions too (message tracing). */
  readonly wire?: WireObserver | undefined;
}

export class ClientTransactions {
  private readonly map = new Map<string, ClientTransaction>();
  /** Transactions still waiting for their final response, by method: kept as they start and end so reading them costs nothing. */
  private readonly pending = new Map<string, number>();
  /** Timer E, one fifo per interval: T1, 2*T1, 4*T1, ... capped at T2 (the last). */
  private readonly timersE: DeadlineFifo<ClientTransaction>[] = [];
  private readonly timersF: DeadlineFifo<ClientTransaction>;
  private readonly timersK: DeadlineFifo<ClientTransaction>;
  /** Timer E expiries waiting for the end of this event-loop turn's I/O (see onTimerE). */
  private dueRetransmits: ClientTransaction[] = [];
  private retransmitTurn: NodeJS.Immediate | undefined;

  constructor(
    timers: TimerConfig,
    private readonly events: ClientTransactionEvents,
  ) {
    const retransmit = (tx: ClientTransaction): void => this.onTimerE(tx);
    for (let interval = timers.t1; interval < timers.t2; interval *= 2) this.timersE.push(new DeadlineFifo(interval, retransmit));
    this.timersE.push(new DeadlineFifo(timers.t2, retransmit));
    this.timersF = new DeadlineFifo(timers.timerF, (tx) => this.fail(tx, 408, 'Request Timeout', 'Timer F'));
    this.timersK = new DeadlineFifo(timers.t4, (tx) => this.remove(tx));
  }

  get size(): number {
    return this.map.size;
  }

  /** Transactions waiting for a final response (not those completed and kept to absorb retransmissions), by method. */
  pendingByMethod(): Map<string, number> {
    return new Map(this.pending);
  }

  /** Sends the request and arms Timer F, plus Timer E on unreliable transports (§17.1.2.2). */
  start(tx: ClientTransaction): void {
    this.map.set(tx.branch, tx);
    this.countPending(tx.method, +1);
    tx.flow.users?.add(tx);
    // Armed before the send: a flow that hands over the response while send() runs
    // (an in-process peer) must find the timers there to cancel.
    tx.timerF = this.timersF.schedule(tx);
    if (!tx.flow.reliable) tx.timerE = this.timersE[0]!.schedule(tx);
    if (!tx.flow.send(tx.data)) {
      this.fail(tx, 503, 'Service Unavailable', 'transport failure');
      return;
    }
    this.events.requestSent();
    this.events.wire?.('out', tx.data, tx.flow);
  }

  /**
   * Node runs due timers before it reads the sockets, so after a busy
   * stretch Timer E fires while the final response already waits in the
   * receive buffer; retransmitting then re-sends a request its peer has
   * answered. The retransmission is deferred to the check phase of the same
   * turn, after the I/O phase has read what arrived, and dropped if the
   * transaction completed meanwhile.
   */
  private onTimerE(tx: ClientTransaction): void {
    tx.timerE = NO_TIMER;
    tx.firedE = performance.now();
    this.dueRetransmits.push(tx);
    this.retransmitTurn ??= setImmediate(this.retransmitDue);
  }

  private readonly retransmitDue = (): void => {
    this.retransmitTurn = undefined;
    const due = this.dueRetransmits;
    this.dueRetransmits = [];
    for (const tx of due) {
      if (tx.state !== COMPLETED && this.map.get(tx.branch) === tx) this.retransmit(tx);
    }
  };

  private retransmit(tx: ClientTransaction): void {
    if (tx.flow.send(tx.data)) this.events.wire?.('out', tx.data, tx.flow);
    // Timer E doubles up to T2; in Proceeding it is T2 (§17.1.2.2).
    const last = this.timersE.length - 1;
    tx.stepE = tx.state === PROCEEDING ? last : Math.min(tx.stepE + 1, last);
    tx.timerE = this.timersE[tx.stepE]!.schedule(tx, tx.firedE);
  }

  /**
   * Matches a response on branch + CSeq method (§17.1.3). Returns false if no
   * transaction matches. Provisional responses do not resolve.
   */
  onResponse(branch: string, response: ResponseView): boolean {
    const tx = this.map.get(branch);
    if (tx === undefined || tx.method !== response.cseq.method) return false;
    if (tx.state === COMPLETED) return true; // retransmitted final response, absorbed
    if (response.status < 200) {
      tx.state = PROCEEDING;
      return true;
    }
    this.clearTimers(tx);
    tx.flow.users?.delete(tx);
    this.countPending(tx.method, -1);
    if (tx.flow.reliable) {
      this.map.delete(tx.branch);
      tx.resolve(response);
      return true;
    }
    // Timer K = T4 absorbs retransmitted final responses. It needs only the
    // branch: at thousands of NOTIFYs a second, anything more (the request,
    // and through the resolver the response with its headers and datagram)
    // would survive young-generation GCs by the tens of thousands.
    const resolve = tx.resolve;
    tx.state = COMPLETED;
    tx.data = RELEASED;
    tx.headers = NO_HEADERS;
    tx.via = '';
    tx.resolve = SETTLED;
    tx.timerF = this.timersK.schedule(tx);
    resolve(response);
    return true;
  }

  /** Ends a pending transaction with a synthesized response (§8.1.3.1). */
  fail(tx: ClientTransaction, status: number, reason: string, cause: string): void {
    if (tx.state === COMPLETED || this.map.get(tx.branch) !== tx) return;
    this.remove(tx);
    this.countPending(tx.method, -1);
    tx.state = COMPLETED;
    if (status === 408) this.events.timedOut();
    else this.events.transportFailed();
    this.events.logger?.debug({ method: tx.method, status, cause, flow: tx.flow.token }, 'client transaction failed');
    tx.resolve(synthesizeResponse(status, reason, tx.headers, tx.via));
  }

  private remove(tx: ClientTransaction): void {
    this.clearTimers(tx);
    tx.flow.users?.delete(tx);
    if (this.map.get(tx.branch) === tx) this.map.delete(tx.branch);
  }

  private countPending(method: string, delta: number): void {
    this.pending.set(method, (this.pending.get(method) ?? 0) + delta);
  }

  private clearTimers(tx: ClientTransaction): void {
    this.timersE[tx.stepE]!.cancel(tx.timerE);
    (tx.state === COMPLETED ? this.timersK : this.timersF).cancel(tx.timerF);
    tx.timerE = NO_TIMER;
    tx.timerF = NO_TIMER;
  }

  /** Fails every pending transaction with 503 and cancels all timers. */
  stop(): void {
    for (const tx of [...this.map.values()]) {
      if (tx.state === COMPLETED) this.remove(tx);
      else this.fail(tx, 503, 'Service Unavailable', 'stack stopped');
    }
    for (const fifo of [...this.timersE, this.timersF, this.timersK]) fifo.stop();
    if (this.retransmitTurn !== undefined) clearImmediate(this.retransmitTurn);
    this.retransmitTurn = undefined;
    this.dueRetransmits = [];
  }
}
