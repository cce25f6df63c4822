import type { FetchCommand, StatesReply } from '@presence/contracts';
import type { PresentityStore } from '@presence/core';
import { emptyPidf } from '@presence/pidf';

/** Current states in one store round trip, for edges converging after a gap or reconnect. */
export class FetchHandler {
  constructor(private readonly store: PresentityStore) {}

  async handle(command: FetchCommand): Promise<StatesReply> {
    const states = await this.store.loadPresentities(command.presentities);
    return {
      v: 1,
      type: 'states',
      states: states.map((s) => ({
        presentity: s.presentity,
        version: s.version,
        document: s.document === '' ? emptyPidf(s.presentity) : s.document,
      })),
    };
  }
}
