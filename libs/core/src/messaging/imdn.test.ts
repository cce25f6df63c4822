import { describe, expect, it } from 'vitest';
import { cpimProblem } from './cpim.js';
import { imdnRequest, noticeBody, wantsNotice, wantsStoredNotice } from './imdn.js';

const cpim = (headers: string) => `From: <sip:alice@example.com>\r\nTo: <sip:bob@example.com>\r\n${headers}\r\nContent-Type: text/plain\r\n\r\nhi`;

describe('IMDN requests in message/cpim (RFC 5438)', () => {
  it('reads Message-ID and Disposition-Notification under whatever prefix NS gives the imdn namespace', () => {
    const request = imdnRequest(cpim('NS: im <urn:ietf:params:imdn>\r\nim.Message-ID: 34jk324j\r\nDateTime: 2026-11-29T10:00:00Z\r\nim.Disposition-Notification: positive-delivery, Display\r\n'));
    expect(request?.messageId).toBe('34jk324j');
    expect([...(request?.wants ?? [])]).toEqual(['positive-delivery', 'display']);
    expect(request?.dateTime).toBe('2026-11-29T10:00:00Z');
    expect(wantsStoredNotice(request!)).toBe(true);
    // Spaces inside the angle brackets and no space before them still name the namespace.
    expect(imdnRequest(cpim('NS: im< urn:ietf:params:imdn >\r\nim.Message-ID: 1\r\nim.Disposition-Notification: processing\r\n'))?.messageId).toBe('1');
  });

  it('asks for nothing without the namespace, a Message-ID or a Disposition-Notification; display alone wants no stored notice', () => {
    expect(imdnRequest(cpim('imdn.Message-ID: 1\r\nimdn.Disposition-Notification: processing\r\n'))).toBeUndefined();
    expect(imdnRequest(cpim('NS: imdn <urn:ietf:params:imdn>\r\nimdn.Disposition-Notification: processing\r\n'))).toBeUndefined();
    expect(imdnRequest(cpim('NS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: 1\r\n'))).toBeUndefined();
    // headers of the encapsulated MIME object are not message headers
    expect(imdnRequest('From: <a>\r\nTo: <b>\r\n\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: 1\r\nimdn.Disposition-Notification: processing\r\n\r\nx')).toBeUndefined();
    expect(wantsStoredNotice(imdnRequest(cpim('NS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: 1\r\nimdn.Disposition-Notification: display\r\n'))!)).toBe(false);
  });

  it('the stored notice is well-formed CPIM naming the original Message-ID with a <stored/> processing status, XML escaped', () => {
    const request = imdnRequest(cpim('NS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: a<&>b\r\nimdn.Disposition-Notification: processing\r\n'))!;
    const body = noticeBody(request, { sender: 'sip:alice@example.com', recipient: 'sip:bob@example.com', noticeId: 'n1', now: Date.UTC(2026, 10, 29) }, 'stored');
    expect(cpimProblem(body)).toBeUndefined();
    expect(body).toContain('From: <sip:bob@example.com>\r\nTo: <sip:alice@example.com>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: n1\r\n');
    expect(body).toContain('Content-Type: message/imdn+xml\r\nContent-Disposition: notification\r\n');
    expect(body).toContain('<message-id>a&lt;&amp;&gt;b</message-id>');
    expect(body).toContain('<datetime>2026-11-29T00:00:00.000Z</datetime>');
    expect(body).toContain('<processing-notification><status><stored/></status></processing-notification>');
    const xml = body.slice(body.indexOf('<?xml'));
    expect(body).toContain(`Content-Length: ${Buffer.byteLength(xml)}\r\n`);
  });

  it('a failed recipient is a negative delivery notification, sent only when negative-delivery was asked for', () => {
    const request = imdnRequest(cpim('NS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: m\r\nimdn.Disposition-Notification: negative-delivery\r\n'))!;
    expect(wantsNotice(request, 'failed')).toBe(true);
    expect(wantsNotice(request, 'stored')).toBe(false);
    const body = noticeBody(request, { sender: 'sip:alice@example.com', recipient: 'sip:bob@example.com', noticeId: 'n2', now: 0 }, 'failed');
    expect(body).toContain('<delivery-notification><status><failed/></status></delivery-notification>');
    expect(cpimProblem(body)).toBeUndefined();
  });
});
