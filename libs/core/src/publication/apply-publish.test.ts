import { describe, expect, it } from 'vitest';
import { BadRequestError, ConditionalRequestFailedError, ServerInternalError } from '../errors/catalogue.js';
import type { Publication } from '../model/publication.js';
import { applyPublish, markSuperseded, SUPERSEDED_ETAG_GRACE_MS } from './apply-publish.js';

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
      publications: [{ ...original, etag: 'a2', expiresAt: NOW + 120_000 }],
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
        { etag: 'a2', expiresAt: NOW + 300_000, publishedAt: NOW, contentType: 'application/xpidf+xml', body: '<open/>' },
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

  describe('a retry with the entity-tag one step behind (its change was answered late, its publisher told 503)', () => {
    const modify = (current: Publication[], ifMatch: string, body: string, at: number, next: string) =>
      applyPublish(current, { ifMatch, expires: 60, body, contentType: PIDF }, at, etags(next));
    const late = (current: Publication[], ifMatch: string, at: number, next: string) => {
      const out = modify(current, ifMatch, '<seq 1/>', at, next);
      return markSuperseded(out.publications, out.etag, ifMatch, at);
    };

    it('answered in time: the replaced tag is 412 at once, as RFC 3903 §6 says', () => {
      const applied = modify([pub('a', NOW + 60_000)], 'a', '<seq 1/>', NOW, 'a2').publications;
      expect(applied[0]).not.toHaveProperty('supersededEtag');
      expect(() => modify(applied, 'a', '<seq 2/>', NOW + 1, 'x')).toThrow(ConditionalRequestFailedError);
    });

    it('answered late: the retry lands on the same publication within the grace, no second publication', () => {
      const retried = modify(late([pub('a', NOW + 60_000)], 'a', NOW, 'a2'), 'a', '<seq 2/>', NOW + 2_000, 'a3');
      expect(retried.publications).toEqual([expect.objectContaining({ etag: 'a3', body: '<seq 2/>' })]);
      expect(retried.publications[0]).not.toHaveProperty('supersededEtag');
      expect(() => modify(retried.publications, 'a', '<again/>', NOW + 3_000, 'x')).toThrow('Unknown or expired entity-tag');
    });

    it('answered late: 412 once the grace is over; refresh and removal accept the tag; it never shadows a live one', () => {
      const applied = late([pub('a', NOW + 600_000), pub('b', NOW + 600_000)], 'a', NOW, 'a2');
      expect(() => modify(applied, 'a', '<late/>', NOW + SUPERSEDED_ETAG_GRACE_MS, 'x')).toThrow(ConditionalRequestFailedError);
      expect(applyPublish(applied, { ifMatch: 'a', expires: 60 }, NOW + 1_000, etags('a3')).publications.map((p) => p.etag)).toEqual(['a3', 'b']);
      expect(applyPublish(applied, { ifMatch: 'a', expires: 0 }, NOW + 1_000, etags()).publications.map((p) => p.etag)).toEqual(['b']);
      expect(applyPublish(applied, { ifMatch: 'b', expires: 60 }, NOW + 1_000, etags('b2')).publications.map((p) => p.etag)).toEqual(['a2', 'b2']);
    });

    it('markSuperseded leaves the publications alone when the tag is no longer current', () => {
      const current = [pub('a3', NOW + 60_000)];
      expect(markSuperseded(current, 'a2', 'a', NOW)).toEqual(current);
    });
  });
});
