import { partitionOf } from '@presence/core';
import type { AgentClient } from '../ingress/agent-client.js';
import type { PresentityInterest } from './presentity-interest.js';

/** Presentities per fetch request: bounds message size and agent work per request. */
const BATCH = 200;

/**
 * After the bus reconnects, events published meanwhile are lost for good:
 * re-fetch the state of everything watched here, one batch per partition
 * chunk, and notify where the version moved (ARCHITECTURE "Fan-out details").
 */
export async function resyncWatched(interest: PresentityInterest, agent: AgentClient, partitionCount: number, changed: (presentity: string) => void): Promise<void> {
  const byPartition = new Map<number, string[]>();
  for (const presentity of interest.presentities()) {
    const partition = partitionOf(presentity, partitionCount);
    const list = byPartition.get(partition);
    if (list) list.push(presentity);
    else byPartition.set(partition, [presentity]);
  }
  for (const presentities of byPartition.values()) {
    for (let i = 0; i < presentities.length; i += BATCH) {
      const batch = presentities.slice(i, i + BATCH);
      const reply = await agent.send(batch[0]!, { v: 1, type: 'fetch', presentities: batch }, 'states');
      for (const state of reply.states) if (interest.apply(state)) changed(state.presentity);
    }
  }
}
