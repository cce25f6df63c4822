import { describe, expect, it } from 'vitest';
import { BadRequestError, ConditionalRequestFailedError, ServerInternalError } from '../errors/catalogue.js';
import type { Publication } from '../model/publication.js';
import { applyPublish, SUPERSEDED_ETAG_GRACE_MS } from './apply-publish.js';

const NOW = 1_700_000_000_000;
const PIDF = 'application/pidf+xml';

function etags(...values: string[]): () => string {
  const queue = [...values];
  return () => {
    const next = queue.shift();
    if (next === undefined) throw new Error('no more etags');
    return next;
  };
}

const pub = (etag: string, expiresAt: number, body = `<open ${etag}/>`, publishedAt = NOW - 10_000): Publication => ({
  etag,
  expiresAt,
  publishedAt,
  contentType: PIDF,
  body,
});

describe('applyPublish', () => {
  it('applyPublish - initial publication creates a new entity-tag', () => {
    const out = applyPublish([], { expires: 3600, body: '<open/>', contentType: PIDF }, NOW, etags('e1'));
    expect(out).toEqual({
      publications: [{ etag: 'e1', expiresAt: NOW + 3_600_000, publishedAt: NOW, contentType: PIDF, body: '<open/>' }],
      etag: 'e1',
      expires: 3600,
      documentAffected: true,
    });
  });

  it('applyPublish - initial publication is added beside existing ones', () => {
    const other = pub('a', NOW + 60_000);
    const out = applyPublish([other], { expires: 60, body: 'x', contentType: PIDF }, NOW, etags('b'));
    expect(out.publications.map((p) => p.etag)).toEqual(['a', 'b']);
  });

  it('applyPublish - initial publication without body is a 400', () => {
    expect(() => applyPublish([], { expires: 60 }, NOW, etags('e1'))).toThrow(
      new BadRequestError('Missing body in initial PUBLISH'),
    );
    expect(() => applyPublish([], { expires: 60, body: '', contentType: PIDF }, NOW, etags('e1'))).toThrow(
      'Missing body in initial PUBLISH',
    );
  });

  it('applyPublish - initial publication with Expires 0 is a 400', () => {
    expect(() => applyPublish([], { expires: 0, body: 'x', contentType: PIDF }, NOW, etags('e1'))).toThrow(
      new BadRequestError('Expires 0 requires SIP-If-Match'),
    );
  });

  it('applyPublish - a body without Content-Type is a 400', () => {
    expect(() => applyPublish([], { expires: 60, body: 'x' }, NOW, etags('e1'))).toThrow(
      new BadRequestError('Missing Content-Type'),
    );
  });

  it('applyPublish - unknown entity-tag is a 412', () => {
    const current = [pub('a', NOW + 60_000)];
    expect(() => applyPublish(current, { ifMatch: 'zzz', expires: 60 }, NOW, etags('b'))).toThrow(
      ConditionalRequestFailedError,
    );
    expect(() => applyPublish(current, { ifMatch: 'zzz', expires: 60 }, NOW, etags('b'))).toThrow(
      'Unknown or expired entity-tag',
    );
  });

  it('applyPublish - expired entity-tag is a 412, also at the exact expiry instant', () => {
    const current = [pub('a', NOW)];
    expect(() => applyPublish(current, { ifMatch: 'a', expires: 60 }, NOW, etags('b'))).toThrow(
      ConditionalRequestFailedError,
    );
    expect(applyPublish(current, { ifMatch: 'a', expires: 60 }, NOW - 1, etags('b')).etag).toBe('b');
  });

  it('applyPublish - Expires 0 with SIP-If-Match removes the publication and answers with the entity-tag removed', () => {
    const current = [pub('a', NOW + 60_000), pub('b', NOW + 60_000)];
    const out = applyPublish(current, { ifMatch: 'a', expires: 0 }, NOW, etags('never'));
    expect(out).toEqual({ publications: [current[1]], etag: 'a', expires: 0, documentAffected: true });
  });

  it('applyPublish - refresh gives a new entity-tag and expiry, keeps the body', () => {
    const original = pub('a', NOW + 5_000, '<closed/>', NOW - 50_000);
    const out = applyPublish([original], { ifMatch: 'a', expires: 120 }, NOW, etags('a2'));
    expect(out).toEqual({
      publications: [{ ...original, etag: 'a2', expiresAt: NOW + 120_000, supersededEtag: 'a', supersededUntil: NOW + SUPERSEDED_ETAG_GRACE_MS }],
      etag: 'a2',
      expires: 120,
      documentAffected: false,
    });
  });

  it('applyPublish - refresh ignores a Content-Type without body', () => {
    const original = pub('a', NOW + 5_000);
    const out = applyPublish([original], { ifMatch: 'a', expires: 60, contentType: 'text/plain', body: '' }, NOW, etags('a2'));
    expect(out.publications[0]?.contentType).toBe(PIDF);
    expect(out.documentAffected).toBe(false);
  });

  it('applyPublish - modify replaces body and content type, new entity-tag, publishedAt = now', () => {
    const other = pub('b', NOW + 60_000);
    const original = pub('a', NOW + 5_000, '<closed/>', NOW - 50_000);
    const out = applyPublish(
      [original, other],
      { ifMatch: 'a', expires: 300, body: '<open/>', contentType: 'application/xpidf+xml' },
      NOW,
      etags('a2'),
    );
    expect(out).toEqual({
      publications: [
        { etag: 'a2', expiresAt: NOW + 300_000, publishedAt: NOW, contentType: 'application/xpidf+xml', body: '<open/>', supersededEtag: 'a', supersededUntil: NOW + SUPERSEDED_ETAG_GRACE_MS },
        other,
      ],
      etag: 'a2',
      expires: 300,
      documentAffected: true,
    });
  });

  it('applyPublish - drops lapsed publications first and reports the document as affected', () => {
    const lapsed = pub('old', NOW - 1);
    const live = pub('a', NOW + 5_000);
    const out = applyPublish([lapsed, live], { ifMatch: 'a', expires: 60 }, NOW, etags('a2'));
    expect(out.publications.map((p) => p.etag)).toEqual(['a2']);
    expect(out.documentAffected).toBe(true);
  });

  it('applyPublish - an entity-tag generator returning a tag in use is an internal error', () => {
    const current = [pub('a', NOW + 60_000)];
    expect(() => applyPublish(current, { expires: 60, body: 'x', contentType: PIDF }, NOW, etags('a'))).toThrow(
      ServerInternalError,
    );
    expect(() => applyPublish(current, { ifMatch: 'a', expires: 60 }, NOW, etags('a'))).toThrow(ServerInternalError);
  });

  it('applyPublish - does not mutate its input', () => {
    const current = [pub('a', NOW + 60_000), pub('old', NOW - 1)];
    const copy = structuredClone(current);
    applyPublish(current, { ifMatch: 'a', expires: 60, body: 'new', contentType: PIDF }, NOW, etags('a2'));
    expect(current).toEqual(copy);
  });

  describe('a retry with the entity-tag one step behind (its PUBLISH was applied, its publisher told 503)', () => {
    const modify = (current: Publication[], ifMatch: string, body: string, at: number, next: string) =>
      applyPublish(current, { ifMatch, expires: 60, body, contentType: PIDF }, at, etags(next));

    it('lands on the same publication within the grace: no second publication, no 412', () => {
      const applied = modify([pub('a', NOW + 60_000)], 'a', '<seq 1/>', NOW, 'a2').publications;
      const retried = modify(applied, 'a', '<seq 2/>', NOW + 2_000, 'a3');
      expect(retried.publications).toHaveLength(1);
      expect(retried.publications[0]).toMatchObject({ etag: 'a3', body: '<seq 2/>', supersededEtag: 'a2' });
      expect(retried.etag).toBe('a3');
    });

    it('is a 412 once the grace is over, and the tag before the previous one never matches', () => {
      const applied = modify([pub('a', NOW + 600_000)], 'a', '<seq 1/>', NOW, 'a2').publications;
      expect(() => modify(applied, 'a', '<late/>', NOW + SUPERSEDED_ETAG_GRACE_MS, 'x')).toThrow(ConditionalRequestFailedError);
      const twice = modify(applied, 'a2', '<seq 2/>', NOW + 1_000, 'a3').publications;
      expect(() => modify(twice, 'a', '<older/>', NOW + 2_000, 'x')).toThrow('Unknown or expired entity-tag');
    });

    it('refresh and removal accept it too; a superseded tag never shadows a live one', () => {
      const applied = modify([pub('a', NOW + 60_000), pub('b', NOW + 60_000)], 'a', '<seq 1/>', NOW, 'a2').publications;
      expect(applyPublish(applied, { ifMatch: 'a', expires: 60 }, NOW + 1_000, etags('a3')).publications.map((p) => p.etag)).toEqual(['a3', 'b']);
      expect(applyPublish(applied, { ifMatch: 'a', expires: 0 }, NOW + 1_000, etags()).publications.map((p) => p.etag)).toEqual(['b']);
      expect(applyPublish(applied, { ifMatch: 'b', expires: 60 }, NOW + 1_000, etags('b2')).publications.map((p) => p.etag)).toEqual(['a2', 'b2']);
    });
  });
});
