/** Version 1 of the one message a presentity change produces, on `Subjects.change(...)`. */
export interface ChangeEvent {
  readonly v: 1;
  readonly type: 'change';
  readonly presentity: string;
  /** Monotonic per presentity; an edge that sees a jump knows it missed something. */
  readonly version: number;
  /**
   * The store incarnation `version` counts in: it changes when the store lost
   * the presentity's record and versions start again, so an edge orders by
   * (incarnation, version) and takes a new incarnation as newer. Added within
   * v1 as optional: an event without one reads as ''.
   */
  readonly incarnation?: string;
  readonly document: string;
  /** The version through each restricted view in use by the presentity's watchers, rendered once by its agent (PresentitySnapshot.views). */
  readonly views?: Readonly<Record<string, string>>;
  /** When the agent committed the change (ms since epoch), for publish-to-notify latency. */
  readonly changedAt: number;
}
