// RFC 3261 §25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
const TOKEN = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.!%*_+`'~") TOKEN[c.charCodeAt(0)] = 1;

// RFC 3261 §25.1: word = 1*(token characters / "(" / ")" / "<" / ">" / ":" / "\" / DQUOTE / "/" / "[" / "]" / "?" / "{" / "}")
const WORD = new Uint8Array(TOKEN);
for (const c of '()<>:\\"/[]?{}') WORD[c.charCodeAt(0)] = 1;

/** Index of the first character at or after `start` that is not a token character, or text.length. */
export function tokenEnd(text: string, start: number): number {
  return classEnd(TOKEN, text, start);
}

/** Index of the first character at or after `start` that is not a word character (Call-ID), or text.length. */
export function wordEnd(text: string, start: number): number {
  return classEnd(WORD, text, start);
}

function classEnd(chars: Uint8Array, text: string, start: number): number {
  let i = start;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || chars[c] === 0) break;
  }
  return i;
}
