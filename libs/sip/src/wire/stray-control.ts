const CR = 13;
const LF = 10;
const SPACE = 32;
const TAB = 9;

// RFC 3261 §25.1: no header holds a control character other than HTAB, nor a
// CR or LF outside the CRLF that ends a line (a lenient reader would take a
// lone one as a line break: a value copied into a message we send would
// inject headers into it), except escaped in a quoted string (quoted-pair,
// never CR or LF). One scan of the whole head; the rare hit is then traced.
const STRAY_CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)|(?<!\r)\n/;
const QUOTE = 34;
const BACKSLASH = 92;

/**
 * Index of the first control character the grammar does not allow, or -1.
 * Only when the regular expression finds one is the head walked with its
 * quoting (linear, from the start): RFC 3261 §25.1 quoted-pair = "\\"
 * (%x00-09 / %x0B-0C / %x0E-7F) lets a quoted string hold one, escaped.
 */
export function strayControlAt(text: string): number {
  const first = STRAY_CONTROL.exec(text);
  if (first === null) return -1;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === CR && text.charCodeAt(i + 1) === LF) {
      i++;
      // A quoted string goes on over a folded line only (§7.3.1).
      const next = text.charCodeAt(i + 1);
      if (next !== SPACE && next !== TAB) quoted = false;
    } else if (c === CR || c === LF || (c < SPACE && c !== TAB) || c === 0x7f) {
      return i;
    } else if (c === QUOTE) {
      quoted = !quoted;
    } else if (c === BACKSLASH && quoted) {
      const escaped = text.charCodeAt(i + 1);
      if (escaped !== CR && escaped !== LF) i++;
    }
  }
  return -1;
}
