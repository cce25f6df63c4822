const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const BACKSLASH = 92;
const DEL = 127;
const CR = 13;
const LF = 10;

/** Index of the first character at or after `start` that is not SP or HTAB (unfolded LWS, RFC 3261 §25.1). */
export function skipLws(text: string, start: number): number {
  let i = start;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== TAB) break;
    i++;
  }
  return i;
}

/** Index of the last character before `end` that is not SP or HTAB, plus one (the end of a right-trimmed range). */
export function trimLwsEnd(text: string, start: number, end: number): number {
  let i = end;
  while (i > start) {
    const c = text.charCodeAt(i - 1);
    if (c !== SPACE && c !== TAB) break;
    i--;
  }
  return i;
}

/**
 * End (index after the closing quote) of the quoted-string opening at `start`,
 * or -1 (RFC 3261 §25.1: qdtext and quoted-pair). A control character other
 * than HTAB is refused unless escaped; escaped CR and LF are refused too
 * (quoted-pair = "\\" (%x00-09 / %x0B-0C / %x0E-7F)): copied into a message
 * we send, they would break its lines for a lenient reader.
 */
export function quotedStringEnd(text: string, start: number): number {
  if (text.charCodeAt(start) !== QUOTE) return -1;
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) {
      const escaped = text.charCodeAt(++i);
      if (escaped === CR || escaped === LF || Number.isNaN(escaped)) return -1;
    } else if (isControl(c)) return -1;
  }
  return -1;
}

/** CTL other than HTAB (RFC 5234: %x00-1F / %x7F), or NaN past the end. */
export function isControl(c: number): boolean {
  return !(c >= SPACE || c === TAB) || c === DEL;
}

/** The content of a quoted-string between `from` and `to` (exclusive) with quoted-pairs resolved. */
export function unquote(text: string, from: number, to: number): string {
  const backslash = text.indexOf('\\', from);
  if (backslash === -1 || backslash >= to) return text.slice(from, to);
  let out = '';
  for (let i = from; i < to; i++) {
    if (text.charCodeAt(i) === BACKSLASH) i++;
    out += text[i];
  }
  return out;
}
