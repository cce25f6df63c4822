import { describe, expect, it } from 'vitest';
import { ForbiddenError } from '../errors/catalogue.js';
import { requireContactLimit, TOO_MANY_CONTACTS } from './contact-limit.js';

describe('requireContactLimit', () => {
  it('contact limit - up to the cap passes', () => {
    expect(() => requireContactLimit(0, 3, 3)).not.toThrow();
    expect(() => requireContactLimit(2, 3, 3)).not.toThrow();
  });

  it('contact limit - one past the cap is a 403 with the reason', () => {
    let thrown: unknown;
    try {
      requireContactLimit(3, 4, 3);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ForbiddenError);
    expect((thrown as ForbiddenError).status).toBe(403);
    expect((thrown as ForbiddenError).message).toBe(TOO_MANY_CONTACTS);
  });

  it('contact limit - a REGISTER that adds none passes even over a lowered cap', () => {
    expect(() => requireContactLimit(5, 5, 3)).not.toThrow();
    expect(() => requireContactLimit(5, 4, 3)).not.toThrow();
  });

  it('contact limit - growing while already over the cap is refused', () => {
    expect(() => requireContactLimit(5, 6, 3)).toThrow(TOO_MANY_CONTACTS);
  });
});
