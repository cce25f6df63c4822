import { parseArgs } from 'node:util';
import { systemClock, type Publication } from '@presence/core';
import { startRedisServer } from '@presence/dev-tools';
import { createRedisStore, type RedisStore } from '@presence/store';
import { cpuTicks, runCostTool, wholeNumber } from './cost-figures.js';

/**
 * `node loadtest/dist/commit-cost-main.js [--commits N] [--parallel K]`: what
 * one presentity commit through the Redis store costs (index lower, commit
 * script, settle), in CPU microseconds in this process and in its own
 * redis-server, and its wall time, with K presentities committed side by side.
 * The agent's Redis hop of a PUBLISH, measured without the cluster's noise.
 */
const USAGE = 'usage: node loadtest/dist/commit-cost-main.js [--commits N (20000)] [--parallel K (4)]';
const BODY = '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:p@example.com"><tuple id="t"><status><basic>open</basic></status></tuple></presence>';
const HOUR_MS = 3_600_000;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { commits: { type: 'string', default: '20000' }, parallel: { type: 'string', default: '4' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const commits = wholeNumber('--commits', values.commits, 10_000_000);
  const parallel = wholeNumber('--parallel', values.parallel, 1000);
  const redis = await startRedisServer();
  try {
    const store = await createRedisStore({ url: redis.url, clock: systemClock, keyPrefix: 'commit-cost:' });
    try {
      await commitLoop(store, 'warm-up', Math.min(500, commits));
      const cpu = process.cpuUsage();
      const redisTicks = await cpuTicks(redis.pid, 'redis-server');
      const startedAt = performance.now();
      await Promise.all(Array.from({ length: parallel }, (_, i) => commitLoop(store, String(i), Math.ceil(commits / parallel))));
      const wallMs = performance.now() - startedAt;
      const used = process.cpuUsage(cpu);
      const redisCpuUs = ((await cpuTicks(redis.pid, 'redis-server')) - redisTicks) * 10_000;
      const total = Math.ceil(commits / parallel) * parallel;
      const figure = (us: number): number => Math.round((us / total) * 10) / 10;
      process.stdout.write(`${JSON.stringify({ commits: total, parallel, clientCpuUsPerCommit: figure(used.user + used.system), redisCpuUsPerCommit: figure(redisCpuUs), wallUsPerCommit: figure(wallMs * 1000) })}\n`);
    } finally {
      await store.close();
    }
  } finally {
    await redis.stop();
  }
}

/** `count` commits of one presentity, each a new document and publication (a PUBLISH modify). */
async function commitLoop(store: RedisStore, name: string, count: number): Promise<void> {
  const presentity = `sip:${name}@example.com`;
  let revision = 0;
  for (let i = 0; i < count; i++) {
    const now = Date.now();
    const publication: Publication = { etag: `e${i}`, expiresAt: now + HOUR_MS, publishedAt: now, contentType: 'application/pidf+xml', body: `${BODY}<!--${i}-->` };
    const outcome = await store.commitPresentity({ presentity, partition: 7, expectedRevision: revision, publications: [publication], document: publication.body, documentChanged: true });
    if (!outcome.ok) throw new Error(`${presentity}: revision ${revision} was not the stored one`);
    revision = outcome.state.revision;
  }
}

runCostTool(main, USAGE);
