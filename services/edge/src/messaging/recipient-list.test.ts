import { BadRequestError, UnsupportedMediaTypeError } from '@presence/core';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRecipientListMessage, recipientCopy, type RecipientListMessage } from './recipient-list.js';

/** The parser over a text body, as a promise (so a refusal reads as a rejection). */
const parse = async (type: string, text: string | Uint8Array, max: number): Promise<RecipientListMessage> => parseRecipientListMessage(type, typeof text === 'string' ? Buffer.from(text) : text, max);
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

const TYPE = 'multipart/mixed; boundary="b-1"';
const list = (entries: string) =>
  `<?xml version="1.0"?><resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists" xmlns:cp="urn:ietf:params:xml:ns:copycontrol"><list>${entries}</list></resource-lists>`;
const body = (messagePart: string, listPart: string) => `--b-1\r\n${messagePart}\r\n--b-1\r\nContent-Type: application/resource-lists+xml\r\nContent-Disposition: recipient-list\r\n\r\n${listPart}\r\n--b-1--\r\n`;

describe('recipient-list MESSAGE bodies (RFC 5365)', () => {
  it('splits the message part from the URI list; copyControl defaults to to; a URI listed twice is one recipient', async () => {
    const parsed = await parse(
      TYPE,
      body('Content-Type: text/plain\r\n\r\nhello all', list('<entry uri="sip:a@x"/><entry uri="sip:b@x" cp:copyControl="cc"/><entry uri="sip:a@x" cp:copyControl="bcc"/>')),
      10,
    );
    expect(text(parsed.body)).toBe('hello all');
    expect(parsed.contentType).toMatch(/^text\/plain/);
    expect(parsed.recipients).toEqual([
      { uri: 'sip:a@x', copyControl: 'to' },
      { uri: 'sip:b@x', copyControl: 'cc' },
    ]);
  });

  it('keeps a non-text message part (message/cpim) with its type and content', async () => {
    const cpim = 'From: <sip:a@x>\r\nTo: <sip:b@x>\r\n\r\nContent-Type: text/plain\r\n\r\nhi';
    const parsed = await parse(TYPE, body(`Content-Type: message/cpim\r\n\r\n${cpim}`, list('<entry uri="sip:b@x"/>')), 10);
    expect(parsed.contentType).toBe('message/cpim');
    expect(text(parsed.body)).toBe(cpim);
    expect(parsed.partHeaders).toBe('Content-Type: message/cpim');
  });

  it('the copy carries the list without bcc entries as recipient-list-history, and parses back', async () => {
    const message = { contentType: 'text/plain', partHeaders: 'Content-Type: text/plain', body: Buffer.from('hi'), recipients: [{ uri: 'sip:a@x', copyControl: 'to' as const }, { uri: 'sip:secret@x', copyControl: 'bcc' as const }] };
    const copy = recipientCopy(message, 'zz');
    expect(copy.contentType).toBe('multipart/mixed;boundary=zz');
    expect(text(copy.body)).toContain('Content-Disposition: recipient-list-history');
    expect(text(copy.body)).toContain('<entry uri="sip:a@x" cp:copyControl="to"/>');
    expect(text(copy.body)).not.toContain('secret');
  });

  it('a binary message part (every octet, CRLFs inside) reaches the copy byte for byte, with its own part headers', async () => {
    const octets = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const head = Buffer.from('preamble\r\n--b-1\r\nContent-Type: application/octet-stream\r\nContent-ID: <x1>\r\n\r\n');
    const tail = Buffer.from(`\r\n--b-1\r\nContent-Type: application/resource-lists+xml\r\nContent-Disposition: recipient-list\r\n\r\n${list('<entry uri="sip:b@x"/>')}\r\n--b-1--\r\nepilogue`);
    const parsed = await parse(TYPE, Buffer.concat([head, octets, tail]), 10);
    expect(Buffer.compare(Buffer.from(parsed.body), octets)).toBe(0);
    expect(parsed.contentType).toBe('application/octet-stream');
    const copy = Buffer.from(recipientCopy(parsed, 'zz').body);
    const partStart = Buffer.from('--zz\r\nContent-Type: application/octet-stream\r\nContent-ID: <x1>\r\n\r\n');
    expect(copy.subarray(0, partStart.length).equals(partStart)).toBe(true);
    expect(Buffer.compare(copy.subarray(partStart.length, partStart.length + 256), octets)).toBe(0);
    expect(copy.toString('latin1', partStart.length + 256, partStart.length + 264)).toBe('\r\n--zz\r\n');
  });

  it('anonymized entries (RFC 5364 §4) are the anonymous URI in the history; with only bcc entries the copy is the message alone', async () => {
    const parsed = await parse(TYPE, body('Content-Type: text/plain\r\n\r\nhi', list('<entry uri="sip:a@x" cp:anonymize="true"/><entry uri="sip:b@x"/>')), 10);
    expect(parsed.recipients).toEqual([{ uri: 'sip:a@x', copyControl: 'to', anonymize: true }, { uri: 'sip:b@x', copyControl: 'to' }]);
    const copy = recipientCopy(parsed, 'zz');
    expect(text(copy.body)).toContain('<entry uri="sip:anonymous@anonymous.invalid" cp:copyControl="to"/><entry uri="sip:b@x" cp:copyControl="to"/>');
    expect(text(copy.body)).not.toContain('sip:a@x');
    expect(recipientCopy({ contentType: 'text/plain', partHeaders: '', body: Buffer.from('hi'), recipients: [{ uri: 'sip:a@x', copyControl: 'bcc' }] }, 'zz')).toEqual({ contentType: 'text/plain', body: Buffer.from('hi') });
    await expect(parse(TYPE, body('Content-Type: text/plain\r\n\r\nhi', list('<entry uri="sip:a@x" cp:anonymize="maybe"/>')), 10)).rejects.toThrow(/anonymize/);
  });

  it('refuses with 415 and Accept a body that is not multipart/mixed, and a URI list in another format (RFC 5363/5365)', async () => {
    const plain = await parse('text/plain', 'hi', 2).catch((caught: unknown) => caught);
    expect(plain).toBeInstanceOf(UnsupportedMediaTypeError);
    expect((plain as UnsupportedMediaTypeError).headers()).toEqual({ accept: 'multipart/mixed' });
    const uriList = `--b-1\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b-1\r\nContent-Type: text/uri-list\r\nContent-Disposition: recipient-list\r\n\r\nsip:a@x\r\n--b-1--\r\n`;
    const foreign = await parse(TYPE, uriList, 2).catch((caught: unknown) => caught);
    expect(foreign).toBeInstanceOf(UnsupportedMediaTypeError);
    expect((foreign as UnsupportedMediaTypeError).headers()).toEqual({ accept: 'application/resource-lists+xml' });
  });

  it('refuses with 400 naming the problem: no boundary, no list, two message parts, bad XML, bad copyControl, too many, nobody', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['multipart/mixed', 'hi', /without a boundary/],
      [TYPE, '--b-1\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b-1--\r\n', /recipient-list \(found 0\)/],
      [TYPE, body('Content-Type: application/octet-stream\r\n\r\nx\r\n--b-1\r\nContent-Type: text/plain\r\n\r\ny', list('<entry uri="sip:a@x"/>')), /exactly one message part/],
      [TYPE, body('Content-Type: text/plain\r\n\r\nhi', '<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list>'), /^Malformed recipient list/],
      [TYPE, body('Content-Type: text/plain\r\n\r\nhi', list('<entry uri="sip:a@x" cp:copyControl="all"/>')), /copyControl/],
      [TYPE, body('Content-Type: text/plain\r\n\r\nhi', list('<entry uri="sip:a@x"/><entry uri="sip:b@x"/><entry uri="sip:c@x"/>')), /3 recipients, more than 2/],
      [TYPE, body('Content-Type: text/plain\r\n\r\nhi', list('')), /names nobody/],
      [TYPE, body('Content-Type: text/plain\r\n\r\nhi', '<other xmlns="urn:x"/>'), /root must be resource-lists/],
    ];
    for (const [type, text, reason] of cases) {
      const error = await parse(type, text, 2).catch((caught: unknown) => caught);
      expect(error, `${reason}`).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).reason, `${reason}`).toMatch(reason);
    }
  });
});

describe('recipient-list MESSAGE bodies under adversarial input', () => {
  it('whatever the body, the parser answers a result, a BadRequestError or an UnsupportedMediaTypeError, never another error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 400 }), fc.constantFrom(TYPE, 'multipart/mixed;boundary=x', 'multipart/mixed;boundary='), async (text, type) => {
        const outcome = await parse(type, `--b-1\r\n${text}\r\n--b-1--`, 5).catch((error: unknown) => error);
        if (outcome instanceof Error) expect(outcome instanceof BadRequestError || outcome instanceof UnsupportedMediaTypeError, String(outcome)).toBe(true);
      }),
      { numRuns: 200, seed: 5365 },
    );
  });
});
