import { describe, expect, it } from 'vitest';
import { frozenCopy } from './frozen-copy.js';

describe('frozenCopy', () => {
  it('copies every own property into a frozen object that shares nothing with the original', () => {
    const original: { etag: string; expiresAt: number; note?: string } = { etag: 'e1', expiresAt: 5 };
    const copy = frozenCopy(original);
    expect(copy).toEqual({ etag: 'e1', expiresAt: 5 });
    expect(Object.isFrozen(copy)).toBe(true);
    original.etag = 'e2';
    original.note = 'later';
    expect(copy).toEqual({ etag: 'e1', expiresAt: 5 });
    expect(Object.isFrozen(original)).toBe(false);
  });
});
