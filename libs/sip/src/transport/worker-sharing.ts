/**
 * Several worker processes of one server reading the same listeners
 * (node:cluster): stream connections stay with the worker that accepted
 * them; every UDP datagram belongs to one worker, its owner, whichever
 * worker the kernel handed it to (ARCHITECTURE "Standalone on more than one
 * core").
 */
export interface WorkerSharing {
  /** This worker's index, 0 ≤ worker < workers. */
  readonly worker: number;
  readonly workers: number;
  /**
   * A datagram read here that another worker owns: hand it over (through the
   * primary), to be taken there as if read from the shared socket. Valid
   * during the call only; may drop it (UDP: the sender retransmits).
   */
  relay(datagram: Buffer, owner: number, listenerIndex: number, address: string, port: number): void;
  /**
   * A UDP port of this worker's own (0: any free one), bound on the address
   * of each shared UDP listener. The requests this worker sends over UDP
   * (NOTIFY, MESSAGE) leave from it and name it in their Via, so the
   * responses of every client that answers to the source port or to the Via
   * (RFC 3261 §18.2.2, RFC 3581) come straight back to this worker instead
   * of through the shared socket, read by either worker, and a relay.
   * Undefined: requests leave from the shared socket (one port to open, the
   * one a NATed watcher's pinhole knows).
   */
  readonly ownUdpPort?: number;
}

/** Marks the branches of our requests with the worker that sent them: `.w<index>` at the end (loop-detection prefixes stay intact). */
export function workerBranchMark(worker: number): string {
  return `.w${worker}`;
}

/** Header part of a datagram we look at; a Call-ID or Via beyond it is not looked for (the message is handled where it landed). */
const SCAN_BYTES = 8192;
const CALL_ID = /\r\n(?:call-id|i)[ \t]*:[ \t]*([^\r\n]*)/i;
const TOP_VIA = /\r\n(?:via|v)[ \t]*:([^\r\n]*)/i;
const BRANCH = /;[ \t]*branch[ \t]*=[ \t]*([^;, \t]+)/i;
const WORKER_MARK = /\.w(\d{1,4})$/;

/**
 * Which worker owns a datagram, read from its raw bytes before parsing:
 * - a response to a request we sent: the worker named by the mark on our
 *   top Via branch, so it reaches the client transaction waiting for it
 *   whatever Call-ID the request carried (a relayed MESSAGE keeps its
 *   sender's Call-ID);
 * - anything else: hash(Call-ID) mod workers, so every request of a dialog,
 *   and its retransmissions, land where the dialog and its transactions are.
 * undefined: no Call-ID found (the worker that read it handles it; the
 * parser refuses it).
 */
export function datagramOwner(datagram: Buffer, workers: number): number | undefined {
  const end = datagram.indexOf('\r\n\r\n');
  const text = datagram.toString('latin1', 0, Math.min(end < 0 ? datagram.length : end + 2, SCAN_BYTES));
  if (text.startsWith('SIP/')) {
    const marked = markedWorker(text);
    if (marked !== undefined && marked < workers) return marked;
  }
  const callId = CALL_ID.exec(text)?.[1]?.trimEnd();
  if (callId === undefined || callId === '') return undefined;
  return callIdHash(callId) % workers;
}

function markedWorker(text: string): number | undefined {
  const topVia = TOP_VIA.exec(text)?.[1];
  if (topVia === undefined) return undefined;
  const comma = topVia.indexOf(',');
  const branch = BRANCH.exec(comma < 0 ? topVia : topVia.slice(0, comma))?.[1];
  const mark = branch === undefined ? undefined : WORKER_MARK.exec(branch)?.[1];
  return mark === undefined ? undefined : Number(mark);
}

/** FNV-1a, 32 bits, over the Call-ID's characters (compared byte for byte, RFC 3261 §20.8): cheap and well spread. */
export function callIdHash(callId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < callId.length; i++) {
    hash ^= callId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Draws per Call-ID a worker makes before taking what it has: with N workers one in N fits, so missing 64 N times in a row does not happen in practice. */
const CALL_ID_DRAWS_PER_WORKER = 64;

/**
 * A new Call-ID whose datagrams this worker owns (hash mod workers, as
 * datagramOwner decides): for a dialog this worker starts as the client (a
 * back-end SUBSCRIBE), whose in-dialog requests (NOTIFYs) must come back here.
 */
export function workerCallId(sharing: Pick<WorkerSharing, 'worker' | 'workers'>, draw: () => string): string {
  let id = draw();
  for (let i = 1; i < CALL_ID_DRAWS_PER_WORKER * sharing.workers && callIdHash(id) % sharing.workers !== sharing.worker; i++) id = draw();
  return id;
}
