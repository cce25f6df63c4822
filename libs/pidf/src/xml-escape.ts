// Characters that cannot appear literally. XML 1.0 §2.2 forbids C0 controls
// other than tab/LF/CR, U+FFFE/U+FFFF and unpaired surrogates even as
// character references, so those become U+FFFD; C1 controls are legal but
// invisible, so they are written as references.
const TEXT_SPECIALS =
  /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// In attribute values tab, LF and CR must be references too, or attribute
// value normalization (XML 1.0 §3.3.3) would turn them into spaces.
const ATTRIBUTE_SPECIALS =
  /[&<>"\t\n\r\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function replacement(char: string): string {
  switch (char) {
    case '&':
      return '&amp;';
    case '<':
      return '&lt;';
    // '>' is escaped everywhere so that "]]>" can never appear in text.
    case '>':
      return '&gt;';
    case '"':
      return '&quot;';
    default: {
      const code = char.charCodeAt(0);
      if (code === 0x09 || code === 0x0a || code === 0x0d || (code >= 0x7f && code <= 0x9f)) {
        return `&#${code};`;
      }
      return '\uFFFD';
    }
  }
}

/** Escapes character data for element content. */
export function escapeText(value: string): string {
  return value.replace(TEXT_SPECIALS, replacement);
}

/** Escapes a value for a double-quoted attribute. */
export function escapeAttribute(value: string): string {
  return value.replace(ATTRIBUTE_SPECIALS, replacement);
}
