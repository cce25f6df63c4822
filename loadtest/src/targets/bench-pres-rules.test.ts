import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '@presence/core';
import { evaluateRules, parsePresRules, presRulesRef } from '@presence/policy';
import { createMemoryStore } from '@presence/store';
import { describe, expect, it } from 'vitest';
import { presentityUser, watcherUser } from '../worker/workload-grid.js';
import { allowDomainRules, writePresRulesToDataDir } from './bench-pres-rules.js';

describe('bench pres-rules', () => {
  it('bench pres-rules - allow-domain lets every watcher of the domain see the whole document, by rule; others are left to the default', () => {
    const ruleset = parsePresRules(allowDomainRules('127.0.0.1'));
    expect(evaluateRules(ruleset, { watcher: `sip:${watcherUser('r1', 7)}@127.0.0.1`, now: 0 }, 'confirm')).toMatchObject({ subHandling: 'allow', byDefault: false });
    expect(evaluateRules(ruleset, { watcher: 'sip:w@elsewhere.example', now: 0 }, 'confirm')).toMatchObject({ subHandling: 'confirm', byDefault: true });
  });

  it('bench pres-rules - written into a data directory, the standalone store restores them', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'bench-pres-rules-'));
    try {
      await writePresRulesToDataDir(dataDir, { runId: 'r1', domain: '127.0.0.1', presentities: 3 });
      const store = await createMemoryStore({ clock: systemClock, dataDir });
      try {
        const document = await store.xcapDocument(presRulesRef(`sip:${presentityUser('r1', 2)}@127.0.0.1`));
        expect(document?.body).toBe(allowDomainRules('127.0.0.1'));
      } finally {
        await store.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
