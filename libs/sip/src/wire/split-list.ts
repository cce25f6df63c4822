const COMMA = 44;
const QUOTE = 34;
const BACKSLASH = 92;
const LT = 60;
const GT = 62;

/**
 * Splits a comma-separated header value (RFC 3261 §7.3.1) into trimmed items,
 * ignoring commas inside quoted strings and <...> URIs. Empty items are dropped.
 */
export function splitHeaderList(value: string, out: string[] = []): string[] {
  let start = 0;
  let inQuotes = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuotes) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inQuotes = false;
    } else if (c === QUOTE) {
      inQuotes = true;
    } else if (c === LT) {
      inAngle = true;
    } else if (c === GT) {
      inAngle = false;
    } else if (c === COMMA && !inAngle) {
      pushTrimmed(out, value, start, i);
      start = i + 1;
    }
  }
  pushTrimmed(out, value, start, value.length);
  return out;
}

function pushTrimmed(out: string[], value: string, start: number, end: number): void {
  const item = start === 0 && end === value.length ? value.trim() : value.slice(start, end).trim();
  if (item.length > 0) out.push(item);
}

/** splitHeaderList(value)[0]; a response needs only its top Via, and it is nearly always the only one. */
export function firstListItem(value: string): string | undefined {
  if (value.indexOf(',') === -1) return value.trim() || undefined;
  return splitHeaderList(value)[0];
}
