import { systemClock, type XcapDocumentStore } from '@presence/core';
import { presRulesRef, renderPresRules } from '@presence/policy';
import { createMemoryStore, createRedisStore } from '@presence/store';
import { runWindowed } from '../worker/windowed.js';
import { presentityUser } from '../worker/workload-grid.js';

/** Store writes in flight while putting the documents in place. */
const WRITE_WINDOW = 64;

/** `--pres-rules allow-domain`: the presentities of a run, each to get a rule allowing the watchers' domain (issue #12's "Done when" bench). */
export interface BenchPresRules {
  readonly runId: string;
  readonly domain: string;
  readonly presentities: number;
}

/** One `<many domain>` rule allowing everything: each watcher is decided by a rule and sees the whole document, as without rules. */
export function allowDomainRules(domain: string): string {
  return renderPresRules([{ id: 'watchers-domain', domain, subHandling: 'allow', provide: 'everything' }]);
}

async function putAll(store: Pick<XcapDocumentStore, 'putXcapDocument'>, rules: BenchPresRules): Promise<void> {
  const document = allowDomainRules(rules.domain);
  await runWindowed(rules.presentities, WRITE_WINDOW, async (p) => {
    const outcome = await store.putXcapDocument(presRulesRef(`sip:${presentityUser(rules.runId, p)}@${rules.domain}`), document);
    if (!outcome.ok) throw new Error(`pres-rules of presentity ${p} not written (${outcome.reason})`);
  });
}

/**
 * Into a standalone server's data directory (its memory store's durable
 * snapshot), before the server starts: the bench reaches a standalone only
 * over SIP, and XCAP documents are durable state the store restores.
 */
export async function writePresRulesToDataDir(dataDir: string, rules: BenchPresRules): Promise<void> {
  const store = await createMemoryStore({ clock: systemClock, dataDir });
  try {
    await putAll(store, rules);
  } finally {
    await store.close();
  }
}

/** Into a cluster's Redis (default key prefix, as the agents the bench starts use): read by the agents at each SUBSCRIBE. */
export async function writePresRulesToRedis(url: string, rules: BenchPresRules): Promise<void> {
  const store = await createRedisStore({ url, clock: systemClock });
  try {
    await putAll(store, rules);
  } finally {
    await store.close();
  }
}
