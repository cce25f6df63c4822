import { UsageError } from '@presence/runtime';
import { describe, expect, it } from 'vitest';
import { parseRedisClusterSeeds } from './redis-seeds.js';

describe('parseRedisClusterSeeds', () => {
  it('plain host:port seeds - nodes, no credentials', () => {
    expect(parseRedisClusterSeeds(['10.0.0.1:7000', 'redis://10.0.0.2:7001'])).toEqual({
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
    });
  });

  it('credentials on one seed apply to every node, percent-decoded', () => {
    expect(parseRedisClusterSeeds(['redis://presence:p%40ss@h1:7000', 'h2:7001'])).toEqual({
      nodes: [
        { host: 'h1', port: 7000 },
        { host: 'h2', port: 7001 },
      ],
      username: 'presence',
      password: 'p@ss',
    });
    expect(parseRedisClusterSeeds(['redis://:secret@h1:7000', 'redis://:secret@h2:7001']).password).toBe('secret');
  });

  it('an IPv6 seed loses its brackets', () => {
    expect(parseRedisClusterSeeds(['redis://[::1]:7000', 'h2:7001']).nodes[0]).toEqual({ host: '::1', port: 7000 });
  });

  it('refuses what would hide a mistake: no port, different passwords, TLS it cannot verify, garbage', () => {
    expect(() => parseRedisClusterSeeds(['h1'])).toThrow(/needs a port/);
    expect(() => parseRedisClusterSeeds(['redis://:a@h1:7000', 'redis://:b@h2:7001'])).toThrow(/different passwords/);
    expect(() => parseRedisClusterSeeds(['redis://u1:a@h1:7000', 'redis://u2:a@h2:7001'])).toThrow(/different user names/);
    expect(() => parseRedisClusterSeeds(['redis://h1:7000', 'rediss://h2:7001'])).toThrow(/TLS \(rediss:\/\/\) to a Redis Cluster is not supported/);
    expect(() => parseRedisClusterSeeds(['redis://h1:notaport'])).toThrow(UsageError);
  });
});
