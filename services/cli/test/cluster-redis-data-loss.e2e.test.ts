import { eventually, type TestDialog, type TestUa } from '@presence/testkit';
import { pidf, publish } from '@presence/testkit/behaviour';
import { describe, expect, it } from 'vitest';
import { clusterTierAvailable } from './cluster-target.js';
import { aor, expectAllRunning, notifyMatching, processesOf, useFaultCluster } from './cluster-faults-kit.js';

const PRESENTITIES = 4;
/** Changes per presentity before the restart: the edges then cache a version the new data set only reaches later. */
const CHANGES_BEFORE = 3;
/** How long a watcher may wait for a NOTIFY it is owed: a bound on a hang, not a speed requirement. */
const NOTIFY_WAIT_MS = 20_000;

interface Watched {
  readonly presentity: string;
  readonly publisher: TestUa;
  readonly dialogs: TestDialog[];
  /** The publication's entity-tag, so later changes modify it rather than add publications. */
  etag?: string;
}

const note = (presentity: string, label: string): string => `${label} of ${presentity}`;

async function publishNote(publisher: TestUa, presentity: string, label: string, ifMatch?: string): Promise<string> {
  const response = await publish(publisher, presentity, {
    body: pidf(presentity, [{ id: 't', basic: 'open', note: note(presentity, label) }]),
    expires: 600,
    ...(ifMatch === undefined ? {} : { ifMatch }),
  });
  expect(response.status, `PUBLISH ${label} of ${presentity}`).toBe(200);
  return response.header('sip-etag') ?? '';
}

/** Every watcher of every presentity gets a NOTIFY carrying the presentity's `label` note. */
async function expectEveryWatcherSees(watched: readonly Watched[], label: string): Promise<void> {
  await Promise.all(
    watched.flatMap(({ presentity, dialogs }) =>
      dialogs.map((dialog) => notifyMatching(dialog, (n) => n.body.includes(note(presentity, label)), NOTIFY_WAIT_MS)),
    ),
  );
}

// Issue "Hold under attack and faults": after Redis lost its data, versions started again from 1 and every edge
// dropped the new changes as older than the version it had cached, so watchers stayed stale. The store
// incarnation (docs/architecture.md "Store incarnation") makes the edges take the new data set's changes.
describe.runIf(clusterTierAvailable())('cluster Redis data loss', () => {
  const ctx = useFaultCluster();

  it('redis data lost - after a restart without persistence every watcher gets the state published again, none stays stale', { timeout: 90_000 }, async () => {
    const target = await ctx.start();
    const { cluster } = target;
    const watched: Watched[] = [];
    for (let i = 0; i < PRESENTITIES; i++) {
      const presentity = aor(`lost-${i}`);
      const publisher = await ctx.ua(cluster.edges[i % 2]!.sipPort, `publisher-${i}`);
      const dialogs: TestDialog[] = [];
      // One watcher on each edge: both edges cache the presentity's version.
      for (const edge of cluster.edges) {
        const watcher = await ctx.ua(edge.sipPort, `watcher-${i}-${edge.process.id}`);
        const subscribed = await watcher.subscribe(presentity, { expires: 600 });
        expect(subscribed.response.status).toBe(200);
        dialogs.push(subscribed.dialog);
      }
      watched.push({ presentity, publisher, dialogs });
    }

    for (let change = 1; change <= CHANGES_BEFORE; change++) {
      const label = `before-${change}`;
      await Promise.all(watched.map(async (w) => (w.etag = await publishNote(w.publisher, w.presentity, label, w.etag))));
      await expectEveryWatcherSees(watched, label);
    }

    // The cluster's Redis runs without persistence (--save ''): the restarted one has an empty data set.
    await cluster.redis.kill();
    await cluster.redis.restart();

    // Publishers publish afresh (their entity-tags died with the data); 503s until the agents own partitions again.
    await Promise.all(
      watched.map((w) =>
        eventually(
          async () => {
            w.etag = await publishNote(w.publisher, w.presentity, 'after-restart');
          },
          { timeoutMs: 20_000, intervalMs: 250 },
        ),
      ),
    );
    await expectEveryWatcherSees(watched, 'after-restart');

    // And the changes after that keep coming: the edges follow the new data set's versions.
    await Promise.all(watched.map((w) => publishNote(w.publisher, w.presentity, 'after-restart-2', w.etag)));
    await expectEveryWatcherSees(watched, 'after-restart-2');
    expectAllRunning(processesOf(target));
  });
});
