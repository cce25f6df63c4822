import { BadRequestError, UnsupportedMediaTypeError } from '@presence/core';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRecipientListMessage, recipientCopy } from './recipient-list.js';

const TYPE = 'multipart/mixed; boundary="b-1"';
const list = (entries: string) =>
  `<?xml version="1.0"?><resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists" xmlns:cp="urn:ietf:params:xml:ns:copycontrol"><list>${entries}</list></resource-lists>`;
const body = (messagePart: string, listPart: string) => `--b-1\r\n${messagePart}\r\n--b-1\r\nContent-Type: application/resource-lists+xml\r\nContent-Disposition: recipient-list\r\n\r\n${listPart}\r\n--b-1--\r\n`;

describe('recipient-list MESSAGE bodies (RFC 5365)', () => {
  it('splits the message part from the URI list; copyControl defaults to to; a URI listed twice is one recipient', async () => {
    const parsed = await parseRecipientListMessage(
      TYPE,
      body('Content-Type: text/plain\r\n\r\nhello all', list('<entry uri="sip:a@x"/><entry uri="sip:b@x" cp:copyControl="cc"/><entry uri="sip:a@x" cp:copyControl="bcc"/>')),
      10,
    );
    expect(parsed.body).toBe('hello all');
    expect(parsed.contentType).toMatch(/^text\/plain/);
    expect(parsed.recipients).toEqual([
      { uri: 'sip:a@x', copyControl: 'to' },
      { uri: 'sip:b@x', copyControl: 'cc' },
    ]);
  });

  it('keeps a non-text message part (message/cpim) with its type and content', async () => {
    const cpim = 'From: <sip:a@x>\r\nTo: <sip:b@x>\r\n\r\nContent-Type: text/plain\r\n\r\nhi';
    const parsed = await parseRecipientListMessage(TYPE, body(`Content-Type: message/cpim\r\n\r\n${cpim}`, list('<entry uri="sip:b@x"/>')), 10);
    expect(parsed.contentType).toBe('message/cpim');
    expect(parsed.body).toContain('Content-Type: text/plain\r\n\r\nhi');
  });

  it('the copy carries the list without bcc entries as recipient-list-history, and parses back', async () => {
    const message = { contentType: 'text/plain', body: 'hi', recipients: [{ uri: 'sip:a@x', copyControl: 'to' as const }, { uri: 'sip:secret@x', copyControl: 'bcc' as const }] };
    const copy = recipientCopy(message, 'zz');
    expect(copy.contentType).toBe('multipart/mixed;boundary=zz');
    expect(copy.body).toContain('Content-Disposition: recipient-list-history');
    expect(copy.body).toContain('<entry uri="sip:a@x" cp:copyControl="to"/>');
    expect(copy.body).not.toContain('secret');
  });

  it('anonymized entries (RFC 5364 §4) are the anonymous URI in the history; with only bcc entries the copy is the message alone', async () => {
    const parsed = await parseRecipientListMessage(TYPE, body('Content-Type: text/plain\r\n\r\nhi', list('<entry uri="sip:a@x" cp:anonymize="true"/><entry uri="sip:b@x"/>')), 10);
    expect(parsed.recipients).toEqual([{ uri: 'sip:a@x', copyControl: 'to', anonymize: true }, { uri: 'sip:b@x', copyControl: 'to' }]);
    const copy = recipientCopy(parsed, 'zz');
    expect(copy.body).toContain('<entry uri="sip:anonymous@anonymous.invalid" cp:copyControl="to"/><entry uri="sip:b@x" cp:copyControl="to"/>');
    expect(copy.body).not.toContain('sip:a@x');
    expect(recipientCopy({ contentType: 'text/plain', body: 'hi', recipients: [{ uri: 'sip:a@x', copyControl: 'bcc' }] }, 'zz')).toEqual({ contentType: 'text/plain', body: 'hi' });
    await expect(parseRecipientListMessage(TYPE, body('Content-Type: text/plain\r\n\r\nhi', list('<entry uri="sip:a@x" cp:anonymize="maybe"/>')), 10)).rejects.toThrow(/anonymize/);
  });

  it('refuses with 415 and Accept a body that is not multipart/mixed, and a URI list in another format (RFC 5363/5365)', async () => {
    const plain = await parseRecipientListMessage('text/plain', 'hi', 2).catch((caught: unknown) => caught);
    expect(plain).toBeInstanceOf(UnsupportedMediaTypeError);
    expect((plain as UnsupportedMediaTypeError).headers()).toEqual({ accept: 'multipart/mixed' });
    const uriList = `--b-1\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b-1\r\nContent-Type: text/uri-list\r\nContent-Disposition: recipient-list\r\n\r\nsip:a@x\r\n--b-1--\r\n`;
    const foreign = await parseRecipientListMessage(TYPE, uriList, 2).catch((caught: unknown) => caught);
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
      const error = await parseRecipientListMessage(type, text, 2).catch((caught: unknown) => caught);
      expect(error, `${reason}`).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).reason, `${reason}`).toMatch(reason);
    }
  });
});

describe('recipient-list MESSAGE bodies under adversarial input', () => {
  it('whatever the body, the parser answers a result, a BadRequestError or an UnsupportedMediaTypeError, never another error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 400 }), fc.constantFrom(TYPE, 'multipart/mixed;boundary=x', 'multipart/mixed;boundary='), async (text, type) => {
        const outcome = await parseRecipientListMessage(type, `--b-1\r\n${text}\r\n--b-1--`, 5).catch((error: unknown) => error);
        if (outcome instanceof Error) expect(outcome instanceof BadRequestError || outcome instanceof UnsupportedMediaTypeError, String(outcome)).toBe(true);
      }),
      { numRuns: 200, seed: 5365 },
    );
  });
});
