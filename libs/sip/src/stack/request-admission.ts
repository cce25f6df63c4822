/**
 * Admission of new requests to the application, apart from the socket reads.
 *
 * Node reads at most 32 datagrams from a UDP socket per event-loop turn. If
 * every request read were handled on the spot, the work it starts (bus
 * requests, store writes, responses, NOTIFYs) would lengthen each turn until
 * arrivals outpaced the reads, and the backlog would sit in the kernel's
 * receive buffer, first in first out: a 200 answering one of our NOTIFYs
 * would wait there behind seconds of SUBSCRIBEs, Timer E would fire, and the
 * peer would get a request it had already answered (RFC 3261 §17.1.2.2 is
 * kept only if the answer is read). So reads stay cheap — responses and
 * retransmissions are dealt with as they are read — and new requests wait
 * here, with a bound on how many run at once. How many start per turn
 * follows the reads: a turn that read libuv's per-turn maximum left more in
 * the socket, so the next turn starts half as many; a turn that drained it
 * lets one more start (additive increase, multiplicative decrease). The
 * halving only helps when the process is out of CPU: then shorter turns read
 * the socket more often, and the backlog moves here, where it is answered
 * 503 cheaply. With CPU to spare (the event loop idle for a tenth of the
 * last window or more) a full read is a burst, not overload: halving would
 * only hold back requests the process could serve, until the oldest had
 * waited half the budget and new ones were turned away — 503s from a
 * process using part of a core (issue #17: new PUBLISHes at 8,000/s). So a
 * full read halves the starts only while the loop is busy. Each
 * start brings back reads of its own (a SUBSCRIBE's NOTIFY is answered, a
 * PUBLISH's fan-out is answered by every watcher), so the right number
 * depends on the traffic; this finds it, and keeps the answers flowing.
 *
 * Overload is answered early, not late (RFC 3261 §21.5.4 503 with
 * Retry-After): a UDP client retransmits every request it has no answer to,
 * so a request served after seconds has cost several reads and fed the very
 * backlog that delayed it. A request is turned away when it arrives while
 * the oldest waiting one has already used half the wait budget (it would
 * wait at least as long), when the queue is full, and, as a backstop, when
 * it has waited the whole budget by the time its turn comes.
 */
import { performance } from 'node:perf_hooks';

export interface AdmissionLimits {
  /** Requests handed to the application and not yet settled (default 1000). */
  readonly maxInFlight?: number;
  /** Requests waiting for admission; one more is answered 503 at once (default 5000). */
  readonly maxQueued?: number;
  /** The wait budget: a request that waited longer is answered 503 instead of started (default 2000 ms). */
  readonly maxWaitMs?: number;
  /** Retry-After, in seconds, on those 503s (default 1). */
  readonly retryAfterS?: number;
}

export type ShedCause = 'queue full' | 'queue too slow' | 'waited too long';

/** What the queue needs of a request: starting it and turning it away. */
export interface AdmissionHandler<R> {
  /** Starts the request; a returned promise keeps it in flight until it settles. */
  start(request: R): Promise<unknown> | undefined;
  /** Answers the request 503 (the queue is full or it waited too long). */
  shed(request: R, retryAfterS: number, cause: ShedCause): void;
}

/** libuv reads at most this many datagrams from a UDP socket per turn; reading that many means more are waiting. */
export const READS_PER_TURN = 32;
/** The most requests one turn starts, however well the reads keep up: a bound on one turn's work. */
export const MAX_STARTS_PER_TURN = 64;
const FIRST_STARTS_PER_TURN = 8;
/** Event-loop utilization (0..1) from which the process counts as out of CPU (performance.eventLoopUtilization). */
export const BUSY_LOOP_UTILIZATION = 0.9;
/** How long a utilization window lasts: long enough to span many turns, short enough to follow a burst. */
export const UTILIZATION_WINDOW_MS = 100;
/** Expired requests answered 503 per turn at most: answering is cheap, but a turn must stay short. */
const SHEDS_PER_TURN = 64;

interface Waiting<R> {
  readonly request: R;
  readonly arrivedAt: number;
}

/** Put in a slot once taken, so the queue does not keep the request alive. */
const DONE: Waiting<unknown> = { request: undefined, arrivedAt: 0 };

export class RequestAdmission<R> {
  private readonly maxInFlight: number;
  private readonly maxQueued: number;
  private readonly maxWaitMs: number;
  private readonly retryAfterS: number;
  /** Entries before `head` are done; compact() drops them. */
  private waiting: Waiting<R>[] = [];
  private head = 0;
  private inFlight = 0;
  private turn: NodeJS.Immediate | undefined;
  /** Messages read in this turn's I/O phase (a read schedules the turn that counts them). */
  private readsSinceTurn = 0;
  private startsPerTurn = FIRST_STARTS_PER_TURN;
  private stopped = false;

  constructor(
    limits: AdmissionLimits,
    private readonly handler: AdmissionHandler<R>,
    private readonly now: () => number = () => performance.now(),
    private readonly loop: LoopUtilization = new EventLoopUtilization(),
  ) {
    this.maxInFlight = positiveInteger(limits.maxInFlight, 1000, 'maxInFlight');
    this.maxQueued = positiveInteger(limits.maxQueued, 5000, 'maxQueued');
    this.maxWaitMs = positiveInteger(limits.maxWaitMs, 2000, 'maxWaitMs');
    this.retryAfterS = positiveInteger(limits.retryAfterS, 1, 'retryAfterS');
  }

  /** Requests waiting for admission. */
  get queued(): number {
    return this.waiting.length - this.head;
  }

  get running(): number {
    return this.inFlight;
  }

  offer(request: R): void {
    if (this.stopped) return;
    const now = this.now();
    if (this.queued >= this.maxQueued) {
      this.handler.shed(request, this.retryAfterS, 'queue full');
      return;
    }
    if (this.queued > 0 && 2 * (now - this.waiting[this.head]!.arrivedAt) > this.maxWaitMs) {
      this.handler.shed(request, this.retryAfterS, 'queue too slow');
      return;
    }
    this.waiting.push({ request, arrivedAt: now });
    this.scheduleTurn();
  }

  /** A message (request or response) was read from the network. */
  messageRead(): void {
    this.readsSinceTurn++;
    if (!this.stopped) this.turn ??= setImmediate(this.runTurn);
  }

  /**
   * A message just read was turned away by the screen at no cost: it does
   * not count as a read, so a flood of refused requests does not throttle
   * the start of the requests let in (which, behind a rate limit, are few).
   */
  readScreenedOut(): void {
    if (this.readsSinceTurn > 0) this.readsSinceTurn--;
  }

  /** Drops what waits (unanswered: the stack is going away) and cancels the pending turn. */
  stop(): void {
    this.stopped = true;
    if (this.turn !== undefined) clearImmediate(this.turn);
    this.turn = undefined;
    this.waiting = [];
    this.head = 0;
  }

  private scheduleTurn(): void {
    if (this.turn === undefined && this.queued > 0 && this.inFlight < this.maxInFlight) this.turn = setImmediate(this.runTurn);
  }

  private readonly runTurn = (): void => {
    this.turn = undefined;
    const now = this.now();
    // Read every turn, so the window rolls with the traffic rather than spanning an idle spell.
    const busy = this.loop.utilization() >= BUSY_LOOP_UTILIZATION;
    const backlogged = busy && this.readsSinceTurn >= READS_PER_TURN;
    this.startsPerTurn = backlogged ? Math.max(1, this.startsPerTurn >>> 1) : Math.min(MAX_STARTS_PER_TURN, this.startsPerTurn + 1);
    this.readsSinceTurn = 0;
    const starts = this.startsPerTurn;
    let started = 0;
    let shed = 0;
    while (started < starts && shed < SHEDS_PER_TURN && this.inFlight < this.maxInFlight && this.head < this.waiting.length) {
      const next = this.waiting[this.head]!;
      this.waiting[this.head++] = DONE as Waiting<R>;
      if (now - next.arrivedAt > this.maxWaitMs) {
        shed++;
        this.handler.shed(next.request, this.retryAfterS, 'waited too long');
        continue;
      }
      started++;
      this.begin(next.request);
    }
    this.compact();
    this.scheduleTurn();
  };

  private begin(request: R): void {
    const running = this.handler.start(request);
    if (running === undefined) return;
    this.inFlight++;
    const settled = (): void => {
      this.inFlight--;
      this.scheduleTurn();
    };
    running.then(settled, settled);
  }

  private compact(): void {
    if (this.head === this.waiting.length) {
      this.waiting = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
  }
}

/** The event loop's utilization over the last completed window (0 idle throughout, 1 never idle). */
export interface LoopUtilization {
  utilization(): number;
}

/** performance.eventLoopUtilization over windows of UTILIZATION_WINDOW_MS, read when asked (about 1 µs). */
export class EventLoopUtilization implements LoopUtilization {
  private windowStart = performance.eventLoopUtilization();
  private windowStartedAt = performance.now();
  /** Until a first window completes, the process counts as busy: the halving stays as it was. */
  private last = 1;

  utilization(): number {
    const now = performance.now();
    if (now - this.windowStartedAt >= UTILIZATION_WINDOW_MS) {
      const end = performance.eventLoopUtilization();
      this.last = performance.eventLoopUtilization(end, this.windowStart).utilization;
      this.windowStart = end;
      this.windowStartedAt = now;
    }
    return this.last;
  }
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`admission.${name} must be a positive integer`);
  return value;
}
