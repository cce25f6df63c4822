import type { Logger } from '../logger.js';
import type { SipResponse } from '../message/message-types.js';
import { synthesizeResponse, type ResponseView } from '../message/response-view.js';
import type { WireObserver } from '../stack/stack-types.js';
import type { FlowUser, InternalFlow } from '../transport/internal-flow.js';
import type { HeaderFields } from '../wire/serialize.js';
import { BranchTable } from './branch-table.js';
import { DeadlineFifo, NO_TIMER } from './deadline-fifo.js';
import type { TimerConfig } from './timer-config.js';

const TRYING = 0;
const PROCEEDING = 1;
const COMPLETED = 2;
/** What Timer K's fifo holds for every completed transaction: the BranchTable knows which one it is (they end in order). */
const KEPT = {};

/** A non-INVITE client transaction (RFC 3261 §17.1.2). */
export class ClientTransaction implements FlowUser {
  state = TRYING;
  /** Index of the current Timer E interval in ClientTransactions' retransmission fifos. */
  stepE = 0;
  timerE = NO_TIMER;
  /** When Timer E last fired: the next interval counts from then, not from the deferred retransmission. */
  firedE = 0;
  /** Timer F (a completed transaction is no longer referenced: Timer K counts in BranchTable). */
  timerF = NO_TIMER;

  constructor(
    readonly branch: string,
    readonly method: string,
    /** The serialized request. */
    readonly data: Buffer,
    readonly flow: InternalFlow,
    readonly headers: HeaderFields,
    /** Our Via, echoed in a synthesized response. */
    readonly via: string,
    readonly resolve: (response: SipResponse) => void,
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
  /** Pending transactions by the sequence in their branch; completed ones, while Timer K runs, as a branch hash only. */
  private readonly table = new BranchTable<ClientTransaction>();
  /** Transactions still waiting for their final response, by method: kept as they start and end so reading them costs nothing. */
  private readonly pending = new Map<string, number>();
  /** Timer E, one fifo per interval: T1, 2*T1, 4*T1, ... capped at T2 (the last). */
  private readonly timersE: DeadlineFifo<ClientTransaction>[] = [];
  private readonly timersF: DeadlineFifo<ClientTransaction>;
  private readonly timersK: DeadlineFifo<object>;
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
    this.timersK = new DeadlineFifo<object>(timers.t4, () => this.table.expireOldest());
  }

  get size(): number {
    return this.table.size;
  }

  /**
   * A branch for a new transaction (RFC 3261 §8.1.1.7): `random` (the magic
   * cookie and random bits), then `_` and a sequence number that finds the
   * transaction again, then `mark` (the worker's).
   */
  newBranch(random: string, mark = ''): string {
    return this.table.draw(random, mark);
  }

  /** Transactions waiting for a final response (not those completed and kept to absorb retransmissions), by method. */
  pendingByMethod(): Map<string, number> {
    return new Map(this.pending);
  }

  /** Sends the request and arms Timer F, plus Timer E on unreliable transports (§17.1.2.2); tx.branch comes from newBranch(). */
  start(tx: ClientTransaction): void {
    this.table.add(tx);
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
      if (tx.state !== COMPLETED && this.table.holds(tx)) this.retransmit(tx);
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
    const tx = this.table.pendingFor(branch);
    // A retransmitted final response to a completed transaction is absorbed.
    if (tx === undefined) return this.table.completedFor(branch, response.cseq.method);
    if (tx.method !== response.cseq.method) return false;
    if (response.status < 200) {
      tx.state = PROCEEDING;
      return true;
    }
    this.clearTimers(tx);
    tx.flow.users?.delete(tx);
    this.countPending(tx.method, -1);
    tx.state = COMPLETED;
    if (tx.flow.reliable) this.table.remove(tx);
    else {
      // Timer K = T4 absorbs retransmitted final responses. The table keeps
      // a branch hash and the method, no object: at thousands of NOTIFYs a
      // second, the transaction (its request, and through the resolver the
      // response with its headers and datagram) would otherwise survive
      // young-generation GCs by the tens of thousands.
      this.table.complete(tx, tx.method);
      this.timersK.schedule(KEPT);
    }
    tx.resolve(response);
    return true;
  }

  /** Ends a pending transaction with a synthesized response (§8.1.3.1). */
  fail(tx: ClientTransaction, status: number, reason: string, cause: string): void {
    if (tx.state === COMPLETED || !this.table.holds(tx)) return;
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
    this.table.remove(tx);
  }

  private countPending(method: string, delta: number): void {
    this.pending.set(method, (this.pending.get(method) ?? 0) + delta);
  }

  private clearTimers(tx: ClientTransaction): void {
    this.timersE[tx.stepE]!.cancel(tx.timerE);
    this.timersF.cancel(tx.timerF);
    tx.timerE = NO_TIMER;
    tx.timerF = NO_TIMER;
  }

  /** Fails every pending transaction with 503 and cancels all timers. */
  stop(): void {
    for (const tx of this.table.pendingTransactions()) this.fail(tx, 503, 'Service Unavailable', 'stack stopped');
    this.table.clear();
    for (const fifo of [...this.timersE, this.timersF, this.timersK]) fifo.stop();
    if (this.retransmitTurn !== undefined) clearImmediate(this.retransmitTurn);
    this.retransmitTurn = undefined;
    this.dueRetransmits = [];
  }
}
