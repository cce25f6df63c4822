import { describe, expect, it } from 'vitest';
import { EMPTY_RULESET } from '../rules/ruleset.js';
import { PresRulesBook, presRulesRef } from './pres-rules-book.js';

const ALICE = 'sip:alice@example.com';
const rules = (id: string): string => `<ruleset xmlns="urn:ietf:params:xml:ns:common-policy"><rule id="${id}"/></ruleset>`;

describe('PresRulesBook', () => {
  it('book - the pres-rules document of a presentity is pres-rules/users/<aor>/index', () => {
    expect(presRulesRef(ALICE)).toEqual({ auid: 'pres-rules', scope: 'users', owner: ALICE, filename: 'index' });
  });

  it('book - parses once per entity tag, again when the tag changes', () => {
    const book = new PresRulesBook(10);
    expect(book.get(ALICE)).toBeUndefined();
    const first = book.learn(ALICE, { etag: 'e1', body: rules('a') });
    expect(first.ruleset.rules.map((r) => r.id)).toEqual(['a']);
    expect(book.learn(ALICE, { etag: 'e1', body: rules('ignored: same tag') })).toBe(first);
    expect(book.learn(ALICE, { etag: 'e2', body: rules('b') }).ruleset.rules.map((r) => r.id)).toEqual(['b']);
    expect(book.get(ALICE)?.etag).toBe('e2');
  });

  it('book - no document or an unreadable one means no rules, and says why', () => {
    const book = new PresRulesBook(10);
    expect(book.learn(ALICE, undefined)).toEqual({ etag: undefined, ruleset: EMPTY_RULESET });
    const broken = book.learn(ALICE, { etag: 'e1', body: '<ruleset' });
    expect(broken.ruleset).toBe(EMPTY_RULESET);
    expect(broken.problem).toMatch(/Malformed pres-rules/);
  });

  it('book - invalidate forgets one presentity; capacity drops the least recently used', () => {
    const book = new PresRulesBook(2);
    book.learn('sip:a@x', undefined);
    book.learn('sip:b@x', undefined);
    book.get('sip:a@x');
    book.learn('sip:c@x', undefined);
    expect(book.get('sip:b@x')).toBeUndefined();
    expect(book.get('sip:a@x')).toBeDefined();
    book.invalidate('sip:a@x');
    expect(book.get('sip:a@x')).toBeUndefined();
    expect(book.size).toBe(1);
    expect(() => new PresRulesBook(0)).toThrow(RangeError);
  });
});
