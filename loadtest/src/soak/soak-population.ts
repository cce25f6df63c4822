import { SoakPublisher } from './soak-publisher.js';
import { SoakWatcher } from './soak-watcher.js';
import { jitter, pause, type SoakContext } from './soak-workload.js';

/** The first generations start spread over this long, not in one burst. */
const RAMP_MS = 5000;

/**
 * P presentity slots; each runs generations one after another: a new
 * presentity AOR with its publisher and W watchers (new AORs too), for a
 * jittered lifetime; then the next. So the server keeps seeing new
 * presentities and losing old ones, and its expiry, sweeps and caches
 * work as they would for real users over days.
 */
export async function runPopulation(ctx: SoakContext): Promise<void> {
  const { presentities } = ctx.workload;
  await Promise.all(Array.from({ length: presentities }, (_, slot) => runSlot(ctx, slot)));
}

async function runSlot(ctx: SoakContext, slot: number): Promise<void> {
  const { workload, signal, runId } = ctx;
  await pause((slot / workload.presentities) * RAMP_MS, signal);
  for (let generation = 0; !signal.aborted; generation++) {
    const untilMs = Date.now() + jitter(workload.presentityLifetimeS * 1000, 0.5, 1.5);
    const presentityUser = `${runId}p${slot}g${generation}`;
    const presentityAor = `sip:${presentityUser}@${ctx.domain}`;
    const publisher = new SoakPublisher(ctx, slot, presentityUser);
    const watchers = Array.from({ length: workload.watchersPerPresentity }, (_, j) => {
      const key = slot * workload.watchersPerPresentity + j;
      return new SoakWatcher(ctx, { key, user: `${runId}w${slot}_${j}g${generation}`, presentityAor });
    });
    await Promise.all([publisher.run(untilMs), ...watchers.map((w) => w.run(untilMs))]);
  }
}
