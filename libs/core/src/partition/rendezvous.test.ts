import { describe, expect, it } from 'vitest';
import { partitionsOwnedBy, rendezvousOwner } from './rendezvous.js';

describe('rendezvous assignment', () => {
  const members = ['agent-a', 'agent-b', 'agent-c'];

  it('rendezvous - every partition has exactly one owner, the same whatever the member order', () => {
    const counts = members.map((m) => partitionsOwnedBy(m, members, 256).length);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(256);
    for (const count of counts) expect(count).toBeGreaterThan(256 / 3 / 2);
    for (let p = 0; p < 256; p++) expect(rendezvousOwner(p, [...members].reverse())).toBe(rendezvousOwner(p, members));
  });

  it('rendezvous - a member leaving moves only its own partitions', () => {
    const before = Array.from({ length: 256 }, (_, p) => rendezvousOwner(p, members));
    const after = Array.from({ length: 256 }, (_, p) => rendezvousOwner(p, ['agent-a', 'agent-c']));
    for (let p = 0; p < 256; p++) if (before[p] !== 'agent-b') expect(after[p]).toBe(before[p]);
  });

  it('rendezvous - no members, no owner', () => {
    expect(rendezvousOwner(3, [])).toBeUndefined();
  });
});
