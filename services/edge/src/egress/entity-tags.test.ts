import { createHash } from 'node:crypto';
import { POLITE_BLOCK_VIEW, WHOLE_DOCUMENT_VIEW } from '@presence/contracts';
import type { BusSubscription } from '@presence/bus';
import { describe, expect, it } from 'vitest';
import { EntityTags } from './entity-tags.js';
import type { WatchedState } from './presentity-interest.js';

const digest = (text: string): string => createHash('sha256').update(text).digest().toString('base64url', 0, 9);
const state = (incarnation: string, version: number, views?: string[]): WatchedState => ({
  version,
  incarnation,
  body: new Uint8Array(),
  views: views === undefined ? undefined : new Map(views.map((v) => [v, new Uint8Array()])),
  changedAt: 0,
  holders: 1,
  subscription: {} as BusSubscription,
});

describe('EntityTags (RFC 5839 §6.1)', () => {
  it('entity tags - every edge derives the same tag from (incarnation, view, version): digest of incarnation and view, then the version in base 36', () => {
    const tags = new EntityTags();
    const s = state('inc-a', 40, ['view-1']);
    expect(tags.of('sip:p@example.com', s, WHOLE_DOCUMENT_VIEW)).toBe(`${digest(`inc-a\u0000${WHOLE_DOCUMENT_VIEW}`)}.14`);
    expect(tags.of('sip:p@example.com', s, 'view-1')).toBe(`${digest('inc-a\u0000view-1')}.14`);
    // A view this edge does not hold shows the offline document: its tag depends on the presentity alone.
    expect(tags.of('sip:p@example.com', s, 'view-2')).toBe(digest('offline\u0000sip:p@example.com'));
    expect(tags.of('sip:p@example.com', s, POLITE_BLOCK_VIEW)).toBe(digest('offline\u0000sip:p@example.com'));
  });

  it('entity tags - a new version moves every view but the polite block; a new incarnation changes the prefix', () => {
    const tags = new EntityTags();
    const s = state('inc-a', 1, ['view-1']);
    const whole1 = tags.of('sip:p@example.com', s, WHOLE_DOCUMENT_VIEW);
    const view1 = tags.of('sip:p@example.com', s, 'view-1');
    const blocked1 = tags.of('sip:p@example.com', s, POLITE_BLOCK_VIEW);
    s.version = 2;
    expect(tags.of('sip:p@example.com', s, WHOLE_DOCUMENT_VIEW)).toBe(`${digest(`inc-a\u0000${WHOLE_DOCUMENT_VIEW}`)}.2`);
    expect(tags.of('sip:p@example.com', s, 'view-1')).toBe(`${digest('inc-a\u0000view-1')}.2`);
    expect(tags.of('sip:p@example.com', s, POLITE_BLOCK_VIEW)).toBe(blocked1);
    expect([whole1, view1]).toEqual([`${digest(`inc-a\u0000${WHOLE_DOCUMENT_VIEW}`)}.1`, `${digest('inc-a\u0000view-1')}.1`]);
    s.incarnation = 'inc-b';
    expect(tags.of('sip:p@example.com', s, WHOLE_DOCUMENT_VIEW)).toBe(`${digest(`inc-b\u0000${WHOLE_DOCUMENT_VIEW}`)}.2`);
    expect(tags.of('sip:p@example.com', s, 'view-1')).toBe(`${digest('inc-b\u0000view-1')}.2`);
  });
});
