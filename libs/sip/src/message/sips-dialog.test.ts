import { describe, expect, it } from 'vitest';
import { parseNameAddr } from '../wire/name-addr.js';
import type { SipRequest } from './message-types.js';
import { dialogRequiresSips } from './sips-dialog.js';

function subscribe(uri: string, contact: string | undefined, recordRoute: string[] = []): SipRequest {
  return { uri, recordRoute, contacts: contact === undefined ? [] : [parseNameAddr(contact)] } as unknown as SipRequest;
}

describe('dialogRequiresSips (RFC 3261 §12.1.1)', () => {
  it('sips - by Request-URI, else top Record-Route, else Contact', () => {
    expect(dialogRequiresSips(subscribe('sip:bob@example.com', '<sip:alice@192.0.2.1>'))).toBe(false);
    expect(dialogRequiresSips(subscribe('SIPS:bob@example.com', '<sip:alice@192.0.2.1>'))).toBe(true);
    expect(dialogRequiresSips(subscribe('sip:bob@example.com', '<sips:alice@192.0.2.1>'))).toBe(true);
    expect(dialogRequiresSips(subscribe('sip:bob@example.com', '<sips:alice@192.0.2.1>', ['<sip:proxy.example.com;lr>']))).toBe(false);
    expect(dialogRequiresSips(subscribe('sip:bob@example.com', '<sip:alice@192.0.2.1>', ['<sips:proxy.example.com;lr>', '<sip:p2;lr>']))).toBe(true);
    expect(dialogRequiresSips(subscribe('sip:bob@example.com', undefined))).toBe(false);
  });
});
