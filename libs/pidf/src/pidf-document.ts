import type { XmlElement } from './xml-node.js';

/**
 * A validated presence document split by the kinds composition cares about.
 * The order between kinds is not kept: RFC 3863 §4.1.1 fixes it (tuples,
 * then notes, then extensions), and the renderer follows that order.
 */
export interface PidfDocument {
  readonly entity: string;
  /** {urn:ietf:params:xml:ns:pidf}tuple */
  readonly tuples: readonly XmlElement[];
  /** {urn:ietf:params:xml:ns:pidf:data-model}person */
  readonly persons: readonly XmlElement[];
  /** {urn:ietf:params:xml:ns:pidf:data-model}device */
  readonly devices: readonly XmlElement[];
  /** Presence-level {urn:ietf:params:xml:ns:pidf}note */
  readonly notes: readonly XmlElement[];
  /** Any other top-level element, in document order. */
  readonly others: readonly XmlElement[];
}
