/**
 * Store arguments and results as JSON text that keeps what JSON itself would
 * change: `undefined` inside arrays (leaseHolders answers one per partition
 * with no live lease; JSON makes it null) and in argument lists (an omitted
 * optional argument), and the numbers NaN and ±Infinity (JSON makes them
 * null, which a store would judge differently from the number a caller gave),
 * and -0 (JSON writes 0), and byte arrays (message bodies: JSON makes a
 * Uint8Array an object of numbered keys), sent as base64.
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

export function encodeStoreValue(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, key: string, item: unknown) {
    // The holder's own value: a Buffer's toJSON has already turned `item` into { type, data }.
    const raw = (this as Record<string, unknown>)[key];
    if (raw instanceof Uint8Array) return { [MARK]: 'bytes', base64: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') };
    const kind = special(item);
    return kind === undefined ? item : { [MARK]: kind };
  }) ?? JSON.stringify({ [MARK]: 'undefined' });
}

export function decodeStoreValue(text: string): unknown {
  return JSON.parse(text, (_key, item: unknown) => {
    if (typeof item !== 'object' || item === null || !(MARK in item)) return item;
    const marked = item as Record<string, string>;
    // A Buffer, as the memory and Redis stores give bodies back.
    if (marked[MARK] === 'bytes') return Buffer.from(marked.base64 ?? '', 'base64');
    return REVIVED[(item as Record<string, Special>)[MARK] as Special];
  });
}
