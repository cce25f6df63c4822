/** Bounds applied while parsing, so a hostile body costs bounded CPU and memory. */
export interface PidfLimits {
  /** Maximum body size in UTF-8 bytes, checked before parsing. */
  maxBytes: number;
  /** Maximum element nesting; the root is depth 1. */
  maxDepth: number;
  /** Maximum number of elements in the whole document. */
  maxElements: number;
  /** Maximum attributes on one element, namespace declarations included. */
  maxAttributes: number;
}

export const defaultPidfLimits: PidfLimits = Object.freeze({
  maxBytes: 64 * 1024,
  maxDepth: 32,
  maxElements: 2000,
  maxAttributes: 64,
});
