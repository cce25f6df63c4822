import { describe, expect, it } from 'vitest';
import { bestFinalStatus } from './best-response.js';

describe('bestFinalStatus (RFC 3261 §16.7)', () => {
  it('best response - any 2xx wins over every failure', () => {
    expect(bestFinalStatus([408, 200, 603])).toBe(200);
    expect(bestFinalStatus([202])).toBe(202);
  });

  it('best response - a 6xx wins over lower classes; else the lowest class and code', () => {
    expect(bestFinalStatus([404, 603, 486])).toBe(603);
    expect(bestFinalStatus([500, 486, 408])).toBe(408);
    expect(bestFinalStatus([302, 404])).toBe(302);
  });

  it('best response - 503 is passed on as 500; no branch is 480', () => {
    expect(bestFinalStatus([503, 503])).toBe(500);
    expect(bestFinalStatus([])).toBe(480);
    expect(bestFinalStatus([100])).toBe(480);
  });
});
