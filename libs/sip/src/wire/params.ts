const SEMI = 59;
const QUOTE = 34;
const BACKSLASH = 92;
const EQUALS = 61;

/**
 * Parses `;name=value;flag` parameters starting at `start` (which should point
 * at a ';' or whitespace before it). Names are lower-cased, valueless
 * parameters map to null, quoted values keep their quotes (RFC 3261 §25.1
 * generic-param). Stops at the end of the string.
 */
export function parseParams(text: string, start: number): Record<string, string | null> {
  // Without quotes no ';' or '=' can be hidden, and native indexOf finds them
  // faster than a scan char by char (there is a Via in every message).
  return text.indexOf('"', start) === -1 ? parseUnquoted(text, start) : parseQuoted(text, start);
}

function parseUnquoted(text: string, start: number): Record<string, string | null> {
  const params: Record<string, string | null> = {};
  // The next '=' is looked up again only once passed, so a run of ';' without
  // one costs one scan, not one per parameter (that was quadratic).
  let eq = -2; // -2: not looked up yet; -1: none left
  for (let i = text.indexOf(';', start); i !== -1; ) {
    let end = text.indexOf(';', i + 1);
    if (end === -1) end = text.length;
    if (eq !== -1 && eq < i) eq = text.indexOf('=', i + 1);
    addParam(params, text, i, eq !== -1 && eq < end ? eq : -1, end);
    i = end < text.length ? end : -1;
  }
  return params;
}

function parseQuoted(text: string, start: number): Record<string, string | null> {
  const params: Record<string, string | null> = {};
  let i = text.indexOf(';', start);
  while (i !== -1 && i < text.length) {
    let end = i + 1;
    let inQuotes = false;
    let eq = -1;
    for (; end < text.length; end++) {
      const c = text.charCodeAt(end);
      if (inQuotes) {
        if (c === BACKSLASH) end++;
        else if (c === QUOTE) inQuotes = false;
      } else if (c === QUOTE) inQuotes = true;
      else if (c === EQUALS && eq === -1) eq = end;
      else if (c === SEMI) break;
    }
    addParam(params, text, i, eq, end);
    i = end < text.length ? end : -1;
  }
  return params;
}

/** Adds the parameter between the ';' at `semi` and `end`, `eq` being its '=' or -1. */
function addParam(params: Record<string, string | null>, text: string, semi: number, eq: number, end: number): void {
  const name = (eq === -1 ? text.slice(semi + 1, end) : text.slice(semi + 1, eq)).trim().toLowerCase();
  if (name.length > 0 && name !== '__proto__') {
    params[name] = eq === -1 ? null : text.slice(eq + 1, end).trim();
  }
}

/** Serializes parameters back to `;a=b;c` form. */
export function formatParams(params: Readonly<Record<string, string | null>>): string {
  let out = '';
  for (const name in params) {
    const value = params[name];
    out += value === null || value === undefined ? `;${name}` : `;${name}=${value}`;
  }
  return out;
}
