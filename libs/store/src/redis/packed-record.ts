/**
 * The packed form of a positional record: its fields joined by U+001F (unit
 * separator), led by one, so a reader tells it from the JSON form (which
 * starts with `[`) by the first character. It drops JSON's quotes, commas
 * and brackets and writes whole numbers in base 36, which is what keeps a
 * watcher's value within Redis's `hash-max-listpack-value` (64 bytes) for
 * the usual AOR and edge id (ARCHITECTURE "Redis keyspace").
 *
 * No SIP field, URI or XML document can hold U+001F (RFC 3261 §25.1 allows
 * no control character outside quoted text, XML 1.0 none at all); a record
 * that does anyway (an operator's edge id, say) is written as JSON, which
 * the reader takes as well. So packing never changes what is read back.
 */
export const PACKED_SEPARATOR = '\u001f';

/** Joins a route set inside one field; likewise absent from any URI. */
export const PACKED_LIST_SEPARATOR = '\u001e';

/** A field's text, or undefined when it cannot be packed (holds a separator). */
export type PackedField = string | undefined;

/** The fields joined, or undefined if any of them cannot be packed (the caller writes JSON). */
export function packFields(fields: readonly PackedField[]): string | undefined {
  let text = '';
  for (const field of fields) {
    if (field === undefined || field.includes(PACKED_SEPARATOR)) return undefined;
    text += PACKED_SEPARATOR + field;
  }
  return text;
}

export function isPacked(text: string): boolean {
  return text.startsWith(PACKED_SEPARATOR);
}

/** The fields of a packed text (isPacked). */
export function unpackFields(text: string): string[] {
  return text.slice(1).split(PACKED_SEPARATOR);
}

/** A non-negative safe integer in base 36; undefined for any other number (the caller writes JSON). */
export function packCount(value: number): PackedField {
  return Number.isSafeInteger(value) && value >= 0 ? value.toString(36) : undefined;
}

/** The number a packCount field holds; the text itself (which the record reader refuses) when it is not one. */
export function unpackCount(field: string | undefined): number | string | undefined {
  if (field === undefined || !/^[0-9a-z]{1,11}$/.test(field)) return field;
  return parseInt(field, 36);
}

/**
 * A field usually equal to what the reader can derive (undefined: nothing
 * can be): empty when it is, itself otherwise; undefined (not packable) when it is itself empty, which
 * would read back as the derived value.
 */
export function packUnlessDerived(value: string, derived: string | undefined): PackedField {
  if (derived !== undefined && value === derived) return '';
  return value === '' ? undefined : value;
}

/** The value packUnlessDerived wrote. */
export function unpackDerived(field: string | undefined, derive: () => string | undefined): string | undefined {
  return field === '' ? derive() : field;
}

/** An optional text: empty when absent; not packable when present but empty. */
export function packOptional(value: string | undefined): PackedField {
  if (value === undefined) return '';
  return value === '' ? undefined : value;
}

/** What packOptional wrote: null (the positional form's absent) for empty. */
export function unpackOptional(field: string | undefined): string | null {
  return field === undefined || field === '' ? null : field;
}

/** A list of non-empty texts, each without either separator; empty for none. */
export function packList(items: readonly string[]): PackedField {
  for (const item of items) if (item === '' || item.includes(PACKED_LIST_SEPARATOR)) return undefined;
  return items.join(PACKED_LIST_SEPARATOR);
}

export function unpackList(field: string | undefined): string[] | undefined {
  if (field === undefined) return undefined;
  return field === '' ? [] : field.split(PACKED_LIST_SEPARATOR);
}
