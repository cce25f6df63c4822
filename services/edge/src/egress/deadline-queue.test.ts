import { describe, expect, it } from 'vitest';
import { DeadlineQueue } from './deadline-queue.js';

describe('deadline queue', () => {
  it('deadline queue - yields due keys earliest first, honouring reschedule and cancel', () => {
    const q = new DeadlineQueue();
    q.schedule('a', 30);
    q.schedule('b', 10);
    q.schedule('c', 20);
    q.schedule('a', 5); // rescheduled earlier
    q.cancel('c');
    expect(q.peek()).toBe(5);
    expect(q.takeDue(15, 10)).toEqual(['a', 'b']);
    expect(q.takeDue(100, 10)).toEqual([]);
    expect(q.size).toBe(0);
  });

  it('deadline queue - respects the limit and stays correct through compaction', () => {
    const q = new DeadlineQueue();
    for (let round = 0; round < 10; round++) for (let i = 0; i < 100; i++) q.schedule(`k${i}`, 1000 - i + round);
    expect(q.size).toBe(100);
    const first = q.takeDue(2000, 3);
    expect(first).toEqual(['k99', 'k98', 'k97']);
    expect(q.takeDue(2000, 1000)).toHaveLength(97);
  });
});
