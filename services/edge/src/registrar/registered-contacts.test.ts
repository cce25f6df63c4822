import type { Binding } from '@presence/core';
import { describe, expect, it } from 'vitest';
import { RegisteredContacts } from './registered-contacts.js';

const binding = (contact: string, expiresAt: number, edgeId = 'edge-1'): Binding => ({ contact, contactKey: contact, expiresAt, callId: 'c', cseq: 1, edgeId });

describe('registered contacts', () => {
  it('contacts - counts the bindings of this edge until each lapses; a new set replaces the AOR\'s old one', () => {
    const contacts = new RegisteredContacts('edge-1');
    contacts.record('sip:a@x', [binding('sip:a1', 1_000), binding('sip:a2', 3_000)], 0);
    contacts.record('sip:b@x', [binding('sip:b1', 2_000)], 0);
    expect(contacts.count(0)).toBe(3);
    expect(contacts.count(1_000)).toBe(2);
    expect(contacts.count(2_500)).toBe(1);
    contacts.record('sip:a@x', [binding('sip:a2', 5_000), binding('sip:a3', 5_000)], 2_600);
    expect(contacts.count(2_600)).toBe(2);
    contacts.record('sip:a@x', [], 2_700);
    expect(contacts.count(2_700)).toBe(0);
    expect(contacts.count(10_000)).toBe(0);
  });

  it('contacts - bindings another edge wrote, or already lapsed, are not counted here', () => {
    const contacts = new RegisteredContacts('edge-1');
    contacts.record('sip:a@x', [binding('sip:a1', 1_000, 'edge-2'), binding('sip:a2', 1_000), binding('sip:a3', 50)], 100);
    expect(contacts.count(100)).toBe(1);
    // The phone moved to edge 2: its set names edge 2 now, and this edge lets go once it sees it.
    contacts.record('sip:a@x', [binding('sip:a2', 2_000, 'edge-2')], 200);
    expect(contacts.count(200)).toBe(0);
  });

  it('contacts - lapsed AORs go, on REGISTERs a few at a time and on reads the rest', () => {
    const contacts = new RegisteredContacts('edge-1');
    for (let i = 0; i < 100; i++) contacts.record(`sip:u${i}@x`, [binding(`sip:u${i}`, 1_000 + i)], 0);
    expect(contacts.count(0)).toBe(100);
    contacts.record('sip:late@x', [binding('sip:late', 9_000)], 5_000);
    expect(contacts.count(5_000)).toBe(1);
  });
});
