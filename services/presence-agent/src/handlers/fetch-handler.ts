import type { FetchCommand, StatesReply } from '@presence/contracts';
import { partitionOf } from '@presence/core';
import { snapshotOf } from '../fanout/snapshots.js';
import type { WatcherViews } from '../fanout/watcher-views.js';
import type { PresentityUpdater } from '../presentity/presentity-updater.js';

/** Current states in one store round trip, for edges converging after a gap or reconnect. */
export class FetchHandler {
  constructor(
    private readonly updater: PresentityUpdater,
    private readonly views: WatcherViews,
    private readonly partitionCount: number,
  ) {}

  async handle(command: FetchCommand): Promise<StatesReply> {
    const states = await this.updater.currentMany(command.presentities, (p) => partitionOf(p, this.partitionCount));
    return { v: 1, type: 'states', states: await Promise.all(states.map((s) => snapshotOf(s, this.views))) };
  }
}
