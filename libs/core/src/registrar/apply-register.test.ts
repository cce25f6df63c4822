import { describe, expect, it } from 'vitest';
import { BadRequestError, IntervalTooBriefError, ServerInternalError } from '../errors/catalogue.js';
import type { ExpiresPolicy } from '../expires/negotiate-expires.js';
import type { Binding } from '../model/binding.js';
import { applyRegister, type RegisterInput } from './apply-register.js';

const NOW = 1_700_000_000_000;
const policy: ExpiresPolicy = { min: 60, max: 3600, default: 600 };
const AOR = 'sip:alice@example.com';

const input = (over: Partial<RegisterInput>): RegisterInput => ({
  aor: AOR,
  contacts: [],
  callId: 'call-1',
  cseq: 10,
  edgeId: 'edge-a',
  ...over,
});

const bound = (contact: string, key: string, over: Partial<Binding> = {}): Binding => ({
  contact,
  contactKey: key,
  expiresAt: NOW + 100_000,
  callId: 'call-1',
  cseq: 5,
  edgeId: 'edge-a',
  ...over,
});

describe('applyRegister', () => {
  it('applyRegister - adds a binding with the policy default expiry', () => {
    const out = applyRegister([], input({ contacts: [{ contact: '<sip:alice@192.0.2.4;ob>' }], flow: 'f1' }), NOW, policy);
    expect(out).toEqual([
      {
        contact: '<sip:alice@192.0.2.4;ob>',
        contactKey: 'sip:alice@192.0.2.4:5060',
        expiresAt: NOW + 600_000,
        callId: 'call-1',
        cseq: 10,
        edgeId: 'edge-a',
        flow: 'f1',
      },
    ]);
  });

  it('applyRegister - the contact expires param wins over the Expires header', () => {
    const out = applyRegister(
      [],
      input({ contacts: [{ contact: 'sip:a@h1', expires: 120 }, { contact: 'sip:a@h2' }], headerExpires: 300 }),
      NOW,
      policy,
    );
    expect(out.map((b) => b.expiresAt)).toEqual([NOW + 120_000, NOW + 300_000]);
  });

  it('applyRegister - shortens an expiry above max', () => {
    const out = applyRegister([], input({ contacts: [{ contact: 'sip:a@h', expires: 86_400 }] }), NOW, policy);
    expect(out[0]?.expiresAt).toBe(NOW + 3_600_000);
  });

  it('applyRegister - a too brief expiry aborts the whole request with 423', () => {
    const current = [bound('sip:a@old', 'sip:a@old:5060', { callId: 'other' })];
    expect(() =>
      applyRegister(
        current,
        input({ contacts: [{ contact: 'sip:a@h1', expires: 0 }, { contact: 'sip:a@h2', expires: 30 }] }),
        NOW,
        policy,
      ),
    ).toThrow(IntervalTooBriefError);
  });

  it('applyRegister - updates a binding with the same contact key from another Call-ID', () => {
    const current = [bound('sip:a@h', 'sip:a@h:5060', { callId: 'old', cseq: 99, q: 0.1, flow: 'f0' })];
    const out = applyRegister(
      current,
      input({ contacts: [{ contact: 'sip:a@H:5060', q: 0.7 }], headerExpires: 120, edgeId: 'edge-b' }),
      NOW,
      policy,
    );
    expect(out).toEqual([
      {
        contact: 'sip:a@H:5060',
        contactKey: 'sip:a@h:5060',
        expiresAt: NOW + 120_000,
        callId: 'call-1',
        cseq: 10,
        edgeId: 'edge-b',
        q: 0.7,
      },
    ]);
  });

  it('applyRegister - updates a binding of the same Call-ID with a higher CSeq, keeping its place', () => {
    const current = [bound('sip:a@h1', 'sip:a@h1:5060'), bound('sip:a@h2', 'sip:a@h2:5060')];
    const out = applyRegister(current, input({ contacts: [{ contact: 'sip:a@h1', expires: 60 }] }), NOW, policy);
    expect(out.map((b) => [b.contactKey, b.cseq])).toEqual([
      ['sip:a@h1:5060', 10],
      ['sip:a@h2:5060', 5],
    ]);
  });

  it('applyRegister - same Call-ID with a CSeq not higher is a 500 Out of order CSeq', () => {
    for (const cseq of [10, 11]) {
      const current = [bound('sip:a@h', 'sip:a@h:5060', { cseq })];
      expect(() => applyRegister(current, input({ contacts: [{ contact: 'sip:a@h' }] }), NOW, policy)).toThrow(
        new ServerInternalError('Out of order CSeq'),
      );
      expect(() =>
        applyRegister(current, input({ contacts: [{ contact: 'sip:a@h', expires: 0 }] }), NOW, policy),
      ).toThrow(ServerInternalError);
    }
  });

  it('applyRegister - a contact repeated in one request does not conflict with itself', () => {
    const out = applyRegister(
      [],
      input({ contacts: [{ contact: 'sip:a@h', expires: 100 }, { contact: 'sip:a@h', expires: 200 }] }),
      NOW,
      policy,
    );
    expect(out).toHaveLength(1);
    expect(out[0]?.expiresAt).toBe(NOW + 200_000);
  });

  it('applyRegister - expires 0 removes the binding', () => {
    const current = [bound('sip:a@h1', 'sip:a@h1:5060', { callId: 'x' }), bound('sip:a@h2', 'sip:a@h2:5060')];
    const out = applyRegister(current, input({ contacts: [{ contact: 'sip:a@h1' }], headerExpires: 0 }), NOW, policy);
    expect(out.map((b) => b.contactKey)).toEqual(['sip:a@h2:5060']);
  });

  it('applyRegister - drops lapsed bindings first, even ones that would conflict', () => {
    const lapsed = bound('sip:a@h', 'sip:a@h:5060', { cseq: 50, expiresAt: NOW });
    const gone = bound('sip:a@g', 'sip:a@g:5060', { expiresAt: NOW - 1 });
    const out = applyRegister([lapsed, gone], input({ contacts: [{ contact: 'sip:a@h' }] }), NOW, policy);
    expect(out.map((b) => [b.contactKey, b.cseq])).toEqual([['sip:a@h:5060', 10]]);
  });

  it('applyRegister - an empty contact list only drops lapsed bindings (query)', () => {
    const live = bound('sip:a@h', 'sip:a@h:5060');
    const lapsed = bound('sip:a@g', 'sip:a@g:5060', { expiresAt: NOW - 1 });
    expect(applyRegister([live, lapsed], input({}), NOW, policy)).toEqual([live]);
  });

  it('applyRegister - wildcard with Expires 0 removes all bindings', () => {
    const current = [bound('sip:a@h1', 'sip:a@h1:5060', { callId: 'x', cseq: 900 }), bound('sip:a@h2', 'sip:a@h2:5060')];
    expect(applyRegister(current, input({ contacts: '*', headerExpires: 0 }), NOW, policy)).toEqual([]);
  });

  it('applyRegister - wildcard without Expires 0 is a 400', () => {
    for (const headerExpires of [undefined, 3600]) {
      expect(() => applyRegister([], input({ contacts: '*', headerExpires }), NOW, policy)).toThrow(
        new BadRequestError('Wildcard Contact requires Expires: 0'),
      );
    }
  });

  it('applyRegister - wildcard is aborted by a binding of the same Call-ID with a CSeq not lower', () => {
    const current = [bound('sip:a@h1', 'sip:a@h1:5060', { callId: 'x' }), bound('sip:a@h2', 'sip:a@h2:5060', { cseq: 10 })];
    expect(() => applyRegister(current, input({ contacts: '*', headerExpires: 0 }), NOW, policy)).toThrow(
      'Out of order CSeq',
    );
  });

  it.each([-0.1, 1.01, Number.NaN])('applyRegister - q=%s is a 400', (q) => {
    expect(() => applyRegister([], input({ contacts: [{ contact: 'sip:a@h', q }] }), NOW, policy)).toThrow(
      new BadRequestError('Invalid q-value'),
    );
  });

  it('applyRegister - accepts q at the bounds 0 and 1', () => {
    const out = applyRegister(
      [],
      input({ contacts: [{ contact: 'sip:a@h1', q: 0 }, { contact: 'sip:a@h2', q: 1 }] }),
      NOW,
      policy,
    );
    expect(out.map((b) => b.q)).toEqual([0, 1]);
  });

  it('applyRegister - rejects an invalid contact URI and an invalid Expires', () => {
    expect(() => applyRegister([], input({ contacts: [{ contact: 'tel:+1555' }] }), NOW, policy)).toThrow(BadRequestError);
    expect(() => applyRegister([], input({ contacts: [{ contact: 'sip:a@h', expires: -5 }] }), NOW, policy)).toThrow(
      'Invalid Expires',
    );
  });

  it('applyRegister - does not mutate its input', () => {
    const current = [bound('sip:a@h', 'sip:a@h:5060', { callId: 'x' })];
    const copy = structuredClone(current);
    applyRegister(current, input({ contacts: [{ contact: 'sip:a@h', expires: 0 }] }), NOW, policy);
    expect(current).toEqual(copy);
  });
});
