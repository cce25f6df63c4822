import { describe, expect, it } from 'vitest';
import type { Publication } from '../model/publication.js';
import { dropExpiredPublications, earliestExpiry } from './publication-expiry.js';

const pub = (etag: string, expiresAt: number): Publication => ({
  etag,
  expiresAt,
  publishedAt: 0,
  contentType: 'application/pidf+xml',
  body: '',
});

describe('dropExpiredPublications', () => {
  it('dropExpiredPublications - splits at now, an expiry equal to now being lapsed', () => {
    const a = pub('a', 999);
    const b = pub('b', 1000);
    const c = pub('c', 1001);
    expect(dropExpiredPublications([a, b, c], 1000)).toEqual({ kept: [c], expired: [a, b] });
  });

  it('dropExpiredPublications - keeps everything when nothing lapsed', () => {
    const a = pub('a', 5000);
    expect(dropExpiredPublications([a], 1000)).toEqual({ kept: [a], expired: [] });
  });
});

describe('earliestExpiry', () => {
  it('earliestExpiry - returns the smallest expiry', () => {
    expect(earliestExpiry([pub('a', 300), pub('b', 100), pub('c', 200)])).toBe(100);
  });

  it('earliestExpiry - is undefined for no publications', () => {
    expect(earliestExpiry([])).toBeUndefined();
  });
});
