import { describe, expect, it } from 'vitest';
import { ForbiddenError, RequestEntityTooLargeError } from '../errors/catalogue.js';
import type { Publication } from '../model/publication.js';
import { applyPublish } from './apply-publish.js';
import { utf8Length } from './publication-limits.js';

const NOW = 1_700_000_000_000;
const PIDF = 'application/pidf+xml';
const LIMITS = { maxPublications: 3, maxDocumentBytes: 100 };

let counter = 0;
const newEtag = () => `e${++counter}`;
const pub = (etag: string, body: string): Publication => ({ etag, expiresAt: NOW + 60_000, publishedAt: NOW - 1000, contentType: PIDF, body });

describe('publication limits', () => {
  it('publication limits - an initial publication past the count is 403 naming the limit', () => {
    const three = [pub('a', 'x'), pub('b', 'x'), pub('c', 'x')];
    expect(() => applyPublish(three, { expires: 60, body: 'y', contentType: PIDF }, NOW, newEtag, LIMITS)).toThrow(
      new ForbiddenError('Too many publications for this presentity (max 3)'),
    );
    const two = three.slice(0, 2);
    expect(applyPublish(two, { expires: 60, body: 'y', contentType: PIDF }, NOW, newEtag, LIMITS).publications).toHaveLength(3);
  });

  it('publication limits - lapsed publications do not count', () => {
    const three = [pub('a', 'x'), pub('b', 'x'), { ...pub('c', 'x'), expiresAt: NOW }];
    expect(applyPublish(three, { expires: 60, body: 'y', contentType: PIDF }, NOW, newEtag, LIMITS).publications).toHaveLength(3);
  });

  it('publication limits - refresh, modify and remove at the count still pass', () => {
    const three = [pub('a', 'x'), pub('b', 'x'), pub('c', 'x')];
    expect(applyPublish(three, { ifMatch: 'b', expires: 60 }, NOW, newEtag, LIMITS).publications).toHaveLength(3);
    expect(applyPublish(three, { ifMatch: 'b', expires: 60, body: 'z', contentType: PIDF }, NOW, newEtag, LIMITS).publications).toHaveLength(3);
    expect(applyPublish(three, { ifMatch: 'b', expires: 0 }, NOW, newEtag, LIMITS).publications).toHaveLength(2);
  });

  it('publication limits - a publication growing the bodies past the size is 413 naming the limit', () => {
    const current = [pub('a', 'x'.repeat(60))];
    expect(() => applyPublish(current, { expires: 60, body: 'y'.repeat(41), contentType: PIDF }, NOW, newEtag, LIMITS)).toThrow(
      new RequestEntityTooLargeError('Presence document too large (max 100 bytes)'),
    );
    expect(applyPublish(current, { expires: 60, body: 'y'.repeat(40), contentType: PIDF }, NOW, newEtag, LIMITS).publications).toHaveLength(2);
  });

  it('publication limits - a modification may not grow past the size, but may shrink an oversize state', () => {
    const current = [pub('a', 'x'.repeat(60)), pub('b', 'x'.repeat(30))];
    expect(() => applyPublish(current, { ifMatch: 'b', expires: 60, body: 'z'.repeat(41), contentType: PIDF }, NOW, newEtag, LIMITS)).toThrow(
      RequestEntityTooLargeError,
    );
    const oversize = [pub('a', 'x'.repeat(90)), pub('b', 'x'.repeat(30))]; // e.g. the limit was lowered since
    const shrunk = applyPublish(oversize, { ifMatch: 'b', expires: 60, body: 'z'.repeat(20), contentType: PIDF }, NOW, newEtag, LIMITS);
    expect(shrunk.publications.map((p) => p.body.length)).toEqual([90, 20]);
    expect(applyPublish(oversize, { ifMatch: 'a', expires: 60 }, NOW, newEtag, LIMITS).publications).toHaveLength(2);
  });

  it('publication limits - the size counts UTF-8 bytes, not UTF-16 units', () => {
    expect(utf8Length('aé€😀')).toBe(1 + 2 + 3 + 4);
    expect(() => applyPublish([], { expires: 60, body: 'é'.repeat(51), contentType: PIDF }, NOW, newEtag, LIMITS)).toThrow(
      RequestEntityTooLargeError,
    );
  });

  it('publication limits - the defaults refuse a 17th publication', () => {
    const sixteen = Array.from({ length: 16 }, (_, i) => pub(`p${i}`, 'x'));
    expect(() => applyPublish(sixteen, { expires: 60, body: 'y', contentType: PIDF }, NOW, newEtag)).toThrow(ForbiddenError);
  });
});
