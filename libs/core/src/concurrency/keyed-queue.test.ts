import { sleep } from '@presence/testkit';
import { describe, expect, it } from 'vitest';
import { KeyedQueue } from './keyed-queue.js';

const tick = (): Promise<void> => sleep(1);

describe('keyed queue', () => {
  it('keyed queue - runs tasks of one key in order, other keys alongside, and survives failures', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    const task = (name: string, fail = false) => async () => {
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
    const a1 = queue.run('a', task('a1', true));
    const a2 = queue.run('a', task('a2'));
    const b1 = queue.run('b', task('b1'));
    await expect(a1).rejects.toThrow('a1');
    expect(await a2).toBe('a2');
    expect(await b1).toBe('b1');
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
    await queue.idle();
  });
});
