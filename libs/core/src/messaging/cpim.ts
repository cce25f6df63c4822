/** Media types of MESSAGE bodies the edge looks into (RFC 3862, RFC 3994). */
export const CPIM = 'message/cpim';
export const IS_COMPOSING = 'application/im-iscomposing+xml';

/** A header line: a name (optionally with a namespace prefix, RFC 3862 §3.4) and a value. */
const HEADER_LINE = /^([A-Za-z0-9!#$%&'*+^_`|~-]+(?:\.[A-Za-z0-9!#$%&'*+^_`|~-]+)?):[ \t]?(.*)$/;

/**
 * What is wrong with a message/cpim body (RFC 3862 §2, §3, §4), or
 * undefined when it is well formed: message headers (From and To present),
 * a blank line, then the encapsulated MIME object's headers (Content-Type
 * present), a blank line, and its content. Pure; names the first problem.
 */
export function cpimProblem(body: string): string | undefined {
  const lines = body.split(/\r?\n/);
  const message = readHeaders(lines, 0, 'message header');
  if (typeof message === 'string') return message;
  for (const required of ['from', 'to']) {
    if (!message.names.has(required)) return `no ${required === 'from' ? 'From' : 'To'} message header`;
  }
  if (message.end >= lines.length) return 'no encapsulated MIME object after the message headers';
  const mime = readHeaders(lines, message.end, 'MIME header');
  if (typeof mime === 'string') return mime;
  if (!mime.names.has('content-type')) return 'no Content-Type in the encapsulated MIME headers';
  if (mime.end > lines.length) return 'no blank line after the encapsulated MIME headers';
  return undefined;
}

/** Header lines from `start` to the next blank line; `end` is the line after it (past the end when there is none). */
function readHeaders(lines: readonly string[], start: number, what: string): { names: Set<string>; end: number } | string {
  const names = new Set<string>();
  let at = start;
  for (; at < lines.length; at++) {
    const line = lines[at]!;
    if (line === '') return names.size === 0 ? `empty ${what} block` : { names, end: at + 1 };
    if (/^[ \t]/.test(line) && names.size > 0) continue; // folded continuation
    const match = HEADER_LINE.exec(line);
    if (match === null) return `malformed ${what} line ${at + 1}`;
    names.add(match[1]!.toLowerCase());
  }
  return names.size === 0 ? `empty ${what} block` : { names, end: lines.length + 1 };
}
