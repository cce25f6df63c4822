import { describe, expect, it } from 'vitest';
import { parseWholeMessage, type ParsedMessage } from './parse-message.js';

function parse(text: string): ParsedMessage {
  const result = parseWholeMessage(Buffer.from(text, 'utf8'));
  if (typeof result === 'string') throw new Error(`unexpected drop: ${result}`);
  return result;
}

describe('parse-message', () => {
  it('parse - request line, compact forms and folded lines', () => {
    const m = parse(
      'SUBSCRIBE sip:bob@example.com SIP/2.0\r\n' +
        'v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n' +
        'o: presence\r\n' +
        'u: presence,\r\n dialog\r\n' +
        'i: abc\r\n' +
        'l: 0\r\n\r\n',
    );
    expect(m.method).toBe('SUBSCRIBE');
    expect(m.uri).toBe('sip:bob@example.com');
    expect(m.headers.get('via')).toEqual(['SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1']);
    expect(m.headers.get('event')).toEqual(['presence']);
    expect(m.headers.get('allow-events')).toEqual(['presence, dialog']);
    expect(m.headers.get('call-id')).toEqual(['abc']);
  });

  it('parse - status line with reason containing spaces', () => {
    const m = parse('SIP/2.0 481 Call/Transaction Does Not Exist\r\nContent-Length: 0\r\n\r\n');
    expect(m.method).toBeUndefined();
    expect(m.status).toBe(481);
    expect(m.reason).toBe('Call/Transaction Does Not Exist');
  });

  it('parse - body is cut at Content-Length in bytes, kept as bytes', () => {
    const body = 'héllo ✓';
    const m = parse(`MESSAGE sip:a@b SIP/2.0\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}trailing junk`);
    expect(m.bodyBytes.toString('utf8')).toBe(body);
    expect(m.framingError).toBeUndefined();
  });

  it('parse - body shorter than Content-Length is a framing error', () => {
    const m = parse('MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 50\r\n\r\nshort');
    expect(m.framingError).toBe('Body shorter than Content-Length');
  });

  it('parse - datagram without Content-Length takes the rest as body', () => {
    expect(parse('MESSAGE sip:a@b SIP/2.0\r\nTo: x\r\n\r\nall of it').bodyBytes.toString()).toBe('all of it');
  });

  it('parse - header names in any spelling, seen before or not, map to one canonical name', () => {
    for (let round = 0; round < 2; round++) {
      const m = parse('SIP/2.0 200 OK\r\nCALL-ID : a\r\ncall-id: b\r\ni:c\r\nX-Odd-Name\t: d\r\nx-odd-name: e\r\n\r\n');
      expect(m.headers.get('call-id')).toEqual(['a', 'b', 'c']);
      expect(m.headers.get('x-odd-name')).toEqual(['d', 'e']);
      expect([...m.headers.keys()]).toEqual(['call-id', 'x-odd-name']);
    }
    // A valid name seen first does not let an invalid spelling through later.
    expect(parseWholeMessage(Buffer.from('SIP/2.0 200 OK\r\nVia: x\r\nV ia: y\r\n\r\n'))).toBe('unparsable message head');
    expect(parseWholeMessage(Buffer.from('SIP/2.0 200 OK\r\nVia: x\r\nVia\u00e9: y\r\n\r\n'))).toBe('unparsable message head');
  });

  it('parse - values are trimmed of the space after the colon and at the end', () => {
    const m = parse('SIP/2.0 200 OK\r\nSubject:\t  two  words \t\r\nEmpty:\r\nNo-Space:x\r\n\r\n');
    expect(m.headers.get('subject')).toEqual(['two  words']);
    expect(m.headers.get('empty')).toEqual(['']);
    expect(m.headers.get('no-space')).toEqual(['x']);
  });

  it('parse - a control character in the head names its header (the one a folded line continues) as a framing error', () => {
    const head = (lines: string[]): string | undefined =>
      parse(['OPTIONS sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1', ...lines, 'Content-Length: 0', '', ''].join('\r\n')).framingError;
    expect(head(['Call-ID: a\rb'])).toBe('Malformed Call-ID');
    expect(head(['i: a\nb'])).toBe('Malformed Call-ID');
    expect(head(['cseq: 1\u0000 OPTIONS'])).toBe('Malformed CSeq');
    expect(head(['SIP-If-Match: x\u007f'])).toBe('Malformed SIP-If-Match');
    expect(head(['x-long-custom-header: \u001b'])).toBe('Malformed X-Long-Custom-Header');
    expect(head([`X-${'n'.repeat(60)}: \u001b`])).toBe('Malformed header');
    expect(head(['Subject: a', '\tb', ' c\nd'])).toBe('Malformed Subject');
    expect(head(['Subject: tab\tand folding', ' are fine'])).toBeUndefined();
    expect(parse('OPTIONS sip:a\u0000b SIP/2.0\r\n\r\n').framingError).toBe('Malformed Request-URI');
    expect(parse('SIP/2.0 200 O\u0000K\r\n\r\n').framingError).toBe('Malformed Status-Line');
    // The first problem wins: a control character is reported before Content-Length.
    expect(parse('MESSAGE sip:a@b SIP/2.0\r\nTo: \u0001\r\nContent-Length: 50\r\n\r\nshort').framingError).toBe('Malformed To');
  });

  it('parse - garbage and keep-alives are reported, not thrown', () => {
    const drop = (text: string | Buffer): unknown => parseWholeMessage(typeof text === 'string' ? Buffer.from(text) : text);
    expect(drop('\r\n\r\n')).toBe('');
    expect(drop('hello world')).toBe('no end of header section');
    expect(drop('NOT A SIP LINE\r\n\r\n')).toBe('unparsable message head');
    expect(drop('OPTIONS sip:a@b SIP/2.0\r\nno colon here\r\n\r\n')).toBe('unparsable message head');
    expect(drop('SIP/2.0 99 Low\r\n\r\n')).toBe('unparsable message head');
    expect(drop(Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a, 0x0d, 0x0a]))).toBe('unparsable message head');
  });

  it('parse - a well-formed SIP version other than 2.0 is kept for a 505; a malformed one is dropped', () => {
    const m = parse('OPTIONS sip:a@b SIP/7.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n');
    expect(m.method).toBe('OPTIONS');
    expect(m.unsupportedVersion).toBe('SIP/7.0');
    expect(parse('OPTIONS sip:a@b sip/2.0\r\nContent-Length: 0\r\n\r\n').unsupportedVersion).toBeUndefined();
    expect(parse('OPTIONS sip:a@b SIP/10.25\r\nContent-Length: 0\r\n\r\n').unsupportedVersion).toBe('SIP/10.25');
    const drop = (text: string): unknown => parseWholeMessage(Buffer.from(text));
    for (const version of ['SIP/2', 'SIP/2.', 'SIP/.0', 'SIP/2.0x', 'HTTP/1.1', 'SIP/2\u00ff0', 'SIP/2.0 extra']) {
      expect(drop(`OPTIONS sip:a@b ${version}\r\nContent-Length: 0\r\n\r\n`), version).toBe('unparsable message head');
    }
  });

  it('parse - a body that is not valid UTF-8 is marked, one that is is not', () => {
    const head = (length: number) => Buffer.from(`PUBLISH sip:a@b SIP/2.0\r\nContent-Length: ${length}\r\n\r\n`);
    const bad = Buffer.from([0x3c, 0x61, 0xff, 0xfe, 0x3e]);
    const badMessage = parseWholeMessage(Buffer.concat([head(bad.length), bad])) as ParsedMessage;
    expect(badMessage.bodyIsUtf8).toBe(false);
    expect(badMessage.bodyBytes).toEqual(bad);
    const good = Buffer.from('<a>ünïcode \ufffd written as such</a>', 'utf8');
    expect((parseWholeMessage(Buffer.concat([head(good.length), good])) as ParsedMessage).bodyIsUtf8).toBeUndefined();
    // Only the bytes within Content-Length count.
    expect((parseWholeMessage(Buffer.concat([head(2), Buffer.from([0x6f, 0x6b, 0xff])])) as ParsedMessage).bodyIsUtf8).toBeUndefined();
  });
  it('parse - a Request-Line misspaced (RFC 4475 lwsruri, lwsstart, trws) is kept for a 400, not dropped', () => {
    const framing = (line: string) => parse(`${line}\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n`);
    for (const line of ['INVITE sip:user@example.com; lr SIP/2.0', 'INVITE  sip:user@example.com  SIP/2.0', 'OPTIONS sip:a@example.com SIP/2.0  ']) {
      const m = framing(line);
      expect(m.framingError, line).toBe('Malformed Request-Line');
      expect(m.method, line).toBe(line.slice(0, line.indexOf(' ')));
    }
    expect(framing('INVITE  sip:user@example.com  SIP/2.0').uri).toBe('sip:user@example.com');
    expect(framing('OPTIONS sip:a@b SIP/2.0').framingError).toBeUndefined();
  });

  it('parse - a control character escaped in a quoted string is a quoted-pair (RFC 3261 §25.1), not a framing error; CR and LF never are', () => {
    const head = (line: string) =>
      parse(['OPTIONS sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1', line, 'Content-Length: 0', '', ''].join('\r\n')).framingError;
    expect(head('To: "BEL:\\\u0007 NUL:\\\u0000 DEL:\\\u007f" <sip:a@b>')).toBeUndefined();
    expect(head('To: "two \\\\\u0000 backslashes escape themselves" <sip:a@b>')).toBe('Malformed To');
    expect(head('To: \\\u0000 <sip:a@b>')).toBe('Malformed To');
    expect(head('To: "a\\\rb" <sip:a@b>')).toBe('Malformed To');
    // An unclosed quote ends with its line (unless folded): the next line's escape is outside one.
    expect(head('Subject: "unclosed\r\nX-Test: \\\u0000')).toBe('Malformed X-Test');
    expect(head('Subject: "folded\r\n \\\u0000 on"')).toBeUndefined();
  });

  it('parse - header octets that are not UTF-8 are a framing error naming the header (RFC 3261 §25.1), however the message came', () => {
    const bytes = (before: string, bad: number[], after: string) => Buffer.concat([Buffer.from(before), Buffer.from(bad), Buffer.from(after)]);
    const request = parseWholeMessage(bytes('OPTIONS sip:a@b SIP/2.0\r\nSubject: caf', [0xc3, 0x28], '\r\nContent-Length: 0\r\n\r\n')) as ParsedMessage;
    expect(request.framingError).toBe('Invalid UTF-8 in Subject');
    const inUri = parseWholeMessage(bytes('OPTIONS sip:', [0xff], '@b SIP/2.0\r\nContent-Length: 0\r\n\r\n')) as ParsedMessage;
    expect(inUri.framingError).toBe('Invalid UTF-8 in Request-URI');
    const response = parseWholeMessage(bytes('SIP/2.0 200 O', [0xe2, 0x82], 'K\r\nContent-Length: 0\r\n\r\n')) as ParsedMessage;
    expect(response.framingError).toBe('Invalid UTF-8 in Status-Line');
    expect(parse('OPTIONS sip:a@b SIP/2.0\r\nSubject: caf\u00e9 \u5927 \ufffd as such\r\nContent-Length: 0\r\n\r\n').framingError).toBeUndefined();
  });
});
