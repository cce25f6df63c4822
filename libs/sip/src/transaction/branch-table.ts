import { callIdHash } from '../transport/worker-sharing.js';

/**
 * Our client transactions by the sequence number each carries in its branch
 * (`<random>_<seq in base 36>`, before any worker mark), in a ring indexed by
 * seq & mask: a response finds its transaction by parsing a few characters,
 * not by hashing the branch into a Map that holds every transaction.
 *
 * A completed transaction (Timer K, T4 over UDP) keeps no object: its slot
 * keeps a 32-bit hash of its branch and its method's number, so a
 * retransmitted final response is still matched on branch and CSeq method
 * (RFC 3261 §17.1.3) and absorbed, while at thousands of NOTIFYs a second no
 * per-transaction object outlives the young generation.
 *
 * The ring spans the oldest sequence still held to the newest drawn; one
 * transaction that waits for Timer F keeps the slots drawn after it (a few
 * bytes each, no objects) until it ends.
 */

const MIN_CAPACITY = 64;
/** Methods numbered per table; any beyond share the last number (the branch hash still tells them apart). */
const MAX_METHODS = 255;
const DOT = 46;

/** A held transaction's needs: the branch to compare in full while it is pending. */
export interface Branched {
  readonly branch: string;
}

export class BranchTable<T extends Branched> {
  private pending: (T | undefined)[] = new Array<T | undefined>(MIN_CAPACITY).fill(undefined);
  /** Per slot, a completed transaction: hash of its branch, and its method's number + 1 (0: slot not completed). */
  private branchHash = new Int32Array(MIN_CAPACITY);
  private methodOf = new Uint8Array(MIN_CAPACITY);
  /** Oldest sequence still held; next one to draw. */
  private base = 0;
  private end = 0;
  private held = 0;
  /** Completed sequences in completion order: Timer K ends them in this order (one duration for all). */
  private completions = new Float64Array(MIN_CAPACITY);
  private completionsHead = 0;
  private completionsCount = 0;
  private readonly methods = new Map<string, number>();

  /** Transactions pending or completed and kept. */
  get size(): number {
    return this.held;
  }

  /** A branch for the next transaction: `random` (cookie, key, random bits), its sequence, then `mark`. */
  draw(random: string, mark: string): string {
    if (this.end - this.base === this.pending.length) this.resize(2 * this.pending.length);
    return `${random}_${(this.end++).toString(36)}${mark}`;
  }

  /** Holds a pending transaction under its branch, which draw() made and nothing holds yet. */
  add(tx: T): void {
    const seq = sequenceOf(tx.branch);
    if (seq < this.base || seq >= this.end) throw new RangeError(`branch ${tx.branch} was not drawn from this table`);
    const slot = seq & (this.pending.length - 1);
    if (this.pending[slot] !== undefined || this.methodOf[slot] !== 0) throw new RangeError(`branch ${tx.branch} is already held`);
    this.pending[slot] = tx;
    this.held++;
  }

  /** Whether tx is held and pending. */
  holds(tx: T): boolean {
    const seq = sequenceOf(tx.branch);
    return seq >= this.base && seq < this.end && this.pending[seq & (this.pending.length - 1)] === tx;
  }

  /** The pending transaction with this branch, or undefined. */
  pendingFor(branch: string): T | undefined {
    const seq = sequenceOf(branch);
    if (seq < this.base || seq >= this.end) return undefined;
    const tx = this.pending[seq & (this.pending.length - 1)];
    return tx !== undefined && tx.branch === branch ? tx : undefined;
  }

  /** Whether a completed transaction kept for Timer K has this branch and method. */
  completedFor(branch: string, method: string): boolean {
    const seq = sequenceOf(branch);
    if (seq < this.base || seq >= this.end) return false;
    const slot = seq & (this.pending.length - 1);
    return this.methodOf[slot] !== 0 && this.methodOf[slot] === this.methodNumber(method) + 1 && this.branchHash[slot] === (callIdHash(branch) | 0);
  }

  /** Ends a pending transaction for good (reliable transport, failure, stop). */
  remove(tx: T): void {
    if (!this.holds(tx)) return;
    const seq = sequenceOf(tx.branch);
    this.pending[seq & (this.pending.length - 1)] = undefined;
    this.held--;
    this.advance();
  }

  /** A pending transaction completes: only its branch hash and method stay, until expireOldest(). */
  complete(tx: T, method: string): void {
    if (!this.holds(tx)) return;
    const seq = sequenceOf(tx.branch);
    const slot = seq & (this.pending.length - 1);
    this.pending[slot] = undefined;
    this.branchHash[slot] = callIdHash(tx.branch) | 0;
    this.methodOf[slot] = this.methodNumber(method) + 1;
    if (this.completionsCount === this.completions.length) this.resizeCompletions(2 * this.completions.length);
    this.completions[(this.completionsHead + this.completionsCount) & (this.completions.length - 1)] = seq;
    this.completionsCount++;
  }

  /** Timer K of the transaction completed longest ago: it is forgotten. */
  expireOldest(): void {
    if (this.completionsCount === 0) return;
    const seq = this.completions[this.completionsHead]!;
    this.completionsHead = (this.completionsHead + 1) & (this.completions.length - 1);
    this.completionsCount--;
    if (seq >= this.base && seq < this.end) {
      this.methodOf[seq & (this.pending.length - 1)] = 0;
      this.held--;
    }
    this.advance();
  }

  /** Pending transactions, oldest first. */
  pendingTransactions(): T[] {
    const out: T[] = [];
    for (let seq = this.base; seq < this.end; seq++) {
      const tx = this.pending[seq & (this.pending.length - 1)];
      if (tx !== undefined) out.push(tx);
    }
    return out;
  }

  /** Forgets everything (the stack stops); sequences go on from where they were. */
  clear(): void {
    this.pending = new Array<T | undefined>(MIN_CAPACITY).fill(undefined);
    this.branchHash = new Int32Array(MIN_CAPACITY);
    this.methodOf = new Uint8Array(MIN_CAPACITY);
    this.completions = new Float64Array(MIN_CAPACITY);
    this.completionsHead = 0;
    this.completionsCount = 0;
    this.base = this.end;
    this.held = 0;
  }

  /** Moves base past slots nothing holds, and gives memory back after a burst. */
  private advance(): void {
    const mask = this.pending.length - 1;
    while (this.base < this.end && this.pending[this.base & mask] === undefined && this.methodOf[this.base & mask] === 0) this.base++;
    if (this.end - this.base < this.pending.length >>> 2 && this.pending.length > MIN_CAPACITY) this.resize(this.pending.length >>> 1);
    if (this.completionsCount < this.completions.length >>> 2 && this.completions.length > MIN_CAPACITY) this.resizeCompletions(this.completions.length >>> 1);
  }

  private methodNumber(method: string): number {
    let number = this.methods.get(method);
    if (number === undefined) {
      number = Math.min(this.methods.size, MAX_METHODS - 1);
      if (this.methods.size < MAX_METHODS - 1) this.methods.set(method, number);
    }
    return number;
  }

  /** Capacity stays a power of two so a slot is seq & mask. */
  private resize(capacity: number): void {
    const pending = new Array<T | undefined>(capacity).fill(undefined);
    const branchHash = new Int32Array(capacity);
    const methodOf = new Uint8Array(capacity);
    const from = this.pending.length - 1;
    const to = capacity - 1;
    for (let seq = this.base; seq < this.end; seq++) {
      pending[seq & to] = this.pending[seq & from];
      branchHash[seq & to] = this.branchHash[seq & from]!;
      methodOf[seq & to] = this.methodOf[seq & from]!;
    }
    this.pending = pending;
    this.branchHash = branchHash;
    this.methodOf = methodOf;
  }

  private resizeCompletions(capacity: number): void {
    const completions = new Float64Array(capacity);
    const mask = this.completions.length - 1;
    for (let i = 0; i < this.completionsCount; i++) completions[i] = this.completions[(this.completionsHead + i) & mask]!;
    this.completions = completions;
    this.completionsHead = 0;
  }
}

/**
 * The sequence in a branch draw() made: base-36 digits after the last '_',
 * up to the end or a '.' (the worker mark). -1 for any other branch.
 */
export function sequenceOf(branch: string): number {
  const mark = branch.lastIndexOf('_');
  if (mark < 0) return -1;
  let seq = 0;
  let i = mark + 1;
  for (; i < branch.length; i++) {
    const c = branch.charCodeAt(i);
    if (c === DOT) break;
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 122 ? c - 87 : -1;
    if (digit < 0 || seq > Number.MAX_SAFE_INTEGER / 36) return -1;
    seq = seq * 36 + digit;
  }
  return i === mark + 1 ? -1 : seq;
}
