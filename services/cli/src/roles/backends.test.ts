import { systemClock } from '@presence/core';
import { createPresenceMetrics } from '@presence/metrics';
import { silentLogger } from '@presence/runtime';
import { StoreUnavailableError } from '@presence/store';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { binaryGate, metricValue, requireOrSkip, startRedisCluster, startRedisServer } from '@presence/testkit';
import { describe, expect, it } from 'vitest';
import { openBackends } from './backends.js';

const runRedis = requireOrSkip(binaryGate('redis-server', 'apt-get install redis-server'), 'Redis tier');

describe.runIf(runRedis)('role backends', () => {
  it('store errors - a store call failing while Redis is down counts once in presence_store_errors_total, by operation', async () => {
    const redis = await startRedisServer();
    const metrics = createPresenceMetrics({ processMetrics: false });
    const backends = await openBackends({ redis: redis.url }, 'agent-1', systemClock, silentLogger, metrics);
    const errors = async (operation: string): Promise<number> => metricValue(await metrics.render(), 'presence_store_errors_total', { operation });
    try {
      expect(await backends.store.liveMembers()).toEqual([]);
      expect(await errors('liveMembers')).toBe(0);
      await redis.kill();
      await expect(backends.store.loadPresentity('sip:alice@example.com')).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(await errors('loadPresentity')).toBe(1);
      await expect(backends.store.heartbeat('agent-1', 8_000)).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(await errors('heartbeat')).toBe(1);
      expect(await errors('liveMembers')).toBe(0);
    } finally {
      await backends.close();
      await redis.stop();
    }
  }, 20_000);

  it('redis cluster with a password - the seeds\' credentials reach every node; without them the store is refused', async () => {
    const cluster = await startRedisCluster();
    const metrics = createPresenceMetrics({ processMetrics: false });
    try {
      for (const node of cluster.nodes) await promisify(execFile)('redis-cli', ['-h', node.host, '-p', String(node.port), 'CONFIG', 'SET', 'requirepass', 's3cret']);
      const seeds = cluster.nodes.map((node) => `${node.host}:${node.port}`);
      const withPassword = await openBackends({ redis: [`redis://:s3cret@${seeds[0]!}`, ...seeds.slice(1)].join(',') }, 'agent-1', systemClock, silentLogger, metrics);
      try {
        // Presentities hash to slots on every master, so this reaches all three nodes.
        for (let i = 0; i < 12; i++) await expect(withPassword.store.loadPresentity(`sip:user${i}@example.com`)).resolves.toBeDefined();
      } finally {
        await withPassword.close();
      }
      await expect(openBackends({ redis: seeds.join(',') }, 'agent-2', systemClock, silentLogger, metrics)).rejects.toThrow(/NOAUTH/);
    } finally {
      await cluster.stop();
    }
  }, 60_000);
});
