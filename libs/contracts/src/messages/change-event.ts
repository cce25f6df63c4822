/** Version 1 of the one message a presentity change produces, on `Subjects.change(...)`. */
export interface ChangeEvent {
  readonly v: 1;
  readonly type: 'change';
  readonly presentity: string;
  /** Monotonic per presentity; an edge that sees a jump knows it missed something. */
  readonly version: number;
  readonly document: string;
  /** When the agent committed the change (ms since epoch), for publish-to-notify latency. */
  readonly changedAt: number;
}
