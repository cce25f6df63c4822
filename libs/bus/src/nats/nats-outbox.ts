/** Hands one message to the connection; failures are the sender's to report. */
export type SendMessage = (subject: string, data: Uint8Array, reply: string | undefined) => void;

/** Past this many messages waiting, the outbox hands them over at once rather than in the check phase. */
export const OUTBOX_FLUSH_COUNT = 256;

/**
 * The messages a NatsBus sends in one turn of the event loop (publishes,
 * replies, requests), handed to nats.js together in its check phase
 * (setImmediate).
 *
 * Why: nats.js writes its buffer to the socket in a microtask queued by the
 * first message after a write, so two messages sent a few awaits apart (an
 * agent's change event and its reply to the edge, both after one Redis
 * reply) leave in two socket writes, each tens of µs on loopback; and so do
 * the answers to commits whose replies came in the same socket read, or in
 * reads of one poll phase. Held until the check phase, which follows the
 * poll phase of the same turn, they leave in one write. The wait is the
 * rest of that turn: no timer, no idle wait (a pending immediate keeps the
 * poll phase from blocking).
 *
 * Order is kept: every message goes through here, and the bus flushes the
 * outbox before any other protocol step (SUB, UNSUB, drain, close), so the
 * server sees the steps in the order they were asked for.
 */
export class NatsOutbox {
  private subjects: string[] = [];
  private payloads: Uint8Array[] = [];
  private replies: Array<string | undefined> = [];
  private scheduled = false;
  private readonly flushInCheckPhase = (): void => {
    this.scheduled = false;
    this.flush();
  };

  constructor(private readonly send: SendMessage) {}

  get size(): number {
    return this.subjects.length;
  }

  add(subject: string, data: Uint8Array, reply?: string): void {
    this.subjects.push(subject);
    this.payloads.push(data);
    this.replies.push(reply);
    if (this.subjects.length >= OUTBOX_FLUSH_COUNT) {
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushInCheckPhase);
    }
  }

  /** Hands every waiting message to the connection now, in the order they were added. */
  flush(): void {
    if (this.subjects.length === 0) return;
    const { subjects, payloads, replies } = this;
    this.subjects = [];
    this.payloads = [];
    this.replies = [];
    for (let i = 0; i < subjects.length; i++) this.send(subjects[i]!, payloads[i]!, replies[i]);
  }
}
