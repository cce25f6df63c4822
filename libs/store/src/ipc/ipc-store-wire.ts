/**
 * Store arguments and results as JSON text that keeps what JSON itself would
 * change: `undefined` inside arrays (leaseHolders answers one per partition
 * with no live lease; JSON makes it null) and in argument lists (an omitted
 * optional argument), and the numbers NaN and ±Infinity (JSON makes them
 * null, which a store would judge differently from the number a caller gave),
 * and -0 (JSON writes 0); and bytes (a stored MESSAGE body is a
 * Uint8Array, which JSON would turn into an object of numbered keys), as
 * base64, read back as a Buffer like the stores give them.
 */
const MARK = '\u0000ipc';

type Special = 'undefined' | 'NaN' | 'Infinity' | '-Infinity' | '-0';

function special(value: unknown): Special | undefined {
  if (value === undefined) return 'undefined';
  if (typeof value !== 'number') return undefined;
  if (Object.is(value, -0)) return '-0';
  if (Number.isFinite(value)) return undefined;
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? 'Infinity' : '-Infinity';
}

const REVIVED: Readonly<Record<Special, unknown>> = { undefined: undefined, NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY, '-0': -0 };

const BYTES = 'bytes';

/**
 * True when JSON.stringify writes the value as it is, so the replacer below
 * would hand back every item unchanged: null, booleans, strings, finite
 * numbers other than -0, and arrays and plain objects of those (no
 * undefined anywhere, no bytes, no toJSON). Checked by a walk in JS: cheaper
 * than the replacer, a call from JSON.stringify back into JS per key (a
 * dialog record has ~20). Deeper than MAX_PLAIN_DEPTH: the replacer's path.
 */
function isPlain(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_PLAIN_DEPTH) return false;
      if (Array.isArray(value)) {
        for (const item of value) if (!isPlain(item, depth + 1)) return false;
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      for (const key in value) if (!isPlain((value as Record<string, unknown>)[key], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

const MAX_PLAIN_DEPTH = 8;

/** The mark as JSON.stringify writes it in the text (U+0000 escaped): a text without it has nothing to revive. */
const MARK_IN_TEXT = JSON.stringify(MARK).slice(1, -1);

export function encodeStoreValue(value: unknown): string {
  // The same text the replacer's path writes for such a value, without its call per key.
  if (isPlain(value, 0)) return JSON.stringify(value);
  return (
    JSON.stringify(value, function (this: Record<string, unknown>, key, item: unknown) {
      // The holder's own value: a Buffer's toJSON has already run on `item`.
      const original = this[key];
      if (original instanceof Uint8Array) return { [MARK]: BYTES, base64: Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64') };
      const kind = special(item);
      return kind === undefined ? item : { [MARK]: kind };
    }) ?? JSON.stringify({ [MARK]: 'undefined' })
  );
}

export function decodeStoreValue(text: string): unknown {
  // No mark: the reviver would hand back every item unchanged (a string holding the mark's text only costs the slow path).
  if (!text.includes(MARK_IN_TEXT)) return JSON.parse(text);
  return JSON.parse(text, (_key, item: unknown) => {
    if (typeof item !== 'object' || item === null || !(MARK in item)) return item;
    const marked = item as Record<string, string>;
    if (marked[MARK] === BYTES) return Buffer.from(marked['base64'] ?? '', 'base64');
    return REVIVED[marked[MARK] as Special];
  });
}
