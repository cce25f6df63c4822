import { describe, expect, it } from 'vitest';
import { eventually } from './eventually.js';
import { freePort } from '@presence/dev-tools';

describe('eventually', () => {
  it('eventually - retries until the assertion passes', async () => {
    let calls = 0;
    await eventually(() => {
      calls++;
      expect(calls).toBeGreaterThanOrEqual(3);
    }, { intervalMs: 1 });
    expect(calls).toBe(3);
  });

  it('eventually - throws the last error at the deadline', async () => {
    let calls = 0;
    const started = Date.now();
    await expect(
      eventually(() => {
        calls++;
        throw new Error(`attempt ${calls}`);
      }, { timeoutMs: 100, intervalMs: 10 }),
    ).rejects.toThrow(/^attempt \d+$/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(calls).toBeGreaterThan(2);
  });

  it('eventually - an assertion that never settles fails at the deadline', async () => {
    await expect(eventually(() => new Promise<void>(() => undefined), { timeoutMs: 50 })).rejects.toThrow(/did not settle/);
  });
});

describe('freePort', () => {
  it('free-port - returns bindable ports for udp and tcp', async () => {
    for (const transport of ['udp', 'tcp'] as const) {
      const port = await freePort(transport);
      expect(port).toBeGreaterThan(1023);
      expect(port).toBeLessThan(65536);
    }
  });
});
