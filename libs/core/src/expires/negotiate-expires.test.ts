import { describe, expect, it } from 'vitest';
import { BadRequestError, IntervalTooBriefError } from '../errors/catalogue.js';
import { negotiateExpires, type ExpiresPolicy } from './negotiate-expires.js';

const policy: ExpiresPolicy = { min: 60, max: 3600, default: 600 };

describe('negotiateExpires', () => {
  it('negotiateExpires - grants the default when none is requested', () => {
    expect(negotiateExpires(undefined, policy)).toBe(600);
  });

  it('negotiateExpires - keeps 0 for removal or fetch', () => {
    expect(negotiateExpires(0, policy)).toBe(0);
  });

  it('negotiateExpires - grants a value within bounds as requested', () => {
    expect(negotiateExpires(60, policy)).toBe(60);
    expect(negotiateExpires(1800, policy)).toBe(1800);
    expect(negotiateExpires(3600, policy)).toBe(3600);
  });

  it('negotiateExpires - shortens a value above max to max', () => {
    expect(negotiateExpires(3601, policy)).toBe(3600);
    expect(negotiateExpires(2 ** 32, policy)).toBe(3600);
    expect(negotiateExpires(Number.POSITIVE_INFINITY, policy)).toBe(3600);
  });

  it('negotiateExpires - answers 423 with Min-Expires below min', () => {
    try {
      negotiateExpires(59, policy);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(IntervalTooBriefError);
      expect((err as IntervalTooBriefError).status).toBe(423);
      expect((err as IntervalTooBriefError).headers()).toEqual({ 'min-expires': '60' });
    }
    expect(() => negotiateExpires(1, policy)).toThrow(IntervalTooBriefError);
  });

  it.each([Number.NaN, -1, 1.5, Number.NEGATIVE_INFINITY])('negotiateExpires - rejects %s as Invalid Expires', (value) => {
    expect(() => negotiateExpires(value, policy)).toThrow(BadRequestError);
    expect(() => negotiateExpires(value, policy)).toThrow('Invalid Expires');
  });
});
