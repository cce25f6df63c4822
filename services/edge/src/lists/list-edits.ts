import type { Bus, BusMessage, BusSubscription } from '@presence/bus';
import type { Subjects } from '@presence/contracts';
import type { Logger } from '@presence/runtime';
import { RESOURCE_LISTS_AUID } from '@presence/policy';
import { decodedXcapChange } from '../egress/xcap-diff-watches.js';

/** Who re-reads the lists of an owner whose documents changed (ListSubscriptions). */
export interface ListOwners {
  hasOwner(owner: string): boolean;
  ownerChanged(owner: string): Promise<void>;
  /** Any rls-services document changed: service URIs may have come or gone. */
  servicesChanged(): void;
}

/** The documents a service list is made of (RFC 4826): its rls-services and the resource-lists it references. */
const RLS_SERVICES_AUID = 'rls-services';
const LIST_AUIDS = [RLS_SERVICES_AUID, RESOURCE_LISTS_AUID];

/**
 * Live list edits (issue #14): the XCAP server announces every write on
 * `xcap.<auid>`; a write to a user's rls-services or resource-lists makes
 * the lists of that owner held here re-read their membership, so new
 * members appear in the next NOTIFY and removed ones are shown terminated.
 * XCAP writes are rare next to presence, so every edge hears them all; one
 * re-read per owner runs at a time, and a write arriving meanwhile runs one
 * more after it (never a queue).
 */
export class ListEdits {
  private readonly subscriptions: BusSubscription[];
  private readonly running = new Map<string, { again: boolean }>();

  constructor(
    bus: Bus,
    subjects: Subjects,
    private readonly owners: ListOwners,
    private readonly logger: Logger,
  ) {
    this.subscriptions = LIST_AUIDS.map((auid) => bus.subscribe(subjects.xcapChange(auid), this.onMessage));
  }

  close(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.running.clear();
  }

  private readonly onMessage = (message: BusMessage): void => {
    const change = decodedXcapChange(message, this.logger);
    if (change === undefined) return;
    if (change.auid === RLS_SERVICES_AUID) this.owners.servicesChanged();
    if (change.scope !== 'users' || !this.owners.hasOwner(change.owner)) return;
    this.reread(change.owner);
  };

  private reread(owner: string): void {
    const running = this.running.get(owner);
    if (running !== undefined) {
      running.again = true;
      return;
    }
    const state = { again: false };
    this.running.set(owner, state);
    const loop = async (): Promise<void> => {
      do {
        state.again = false;
        await this.owners.ownerChanged(owner);
      } while (state.again);
    };
    loop()
      .catch((error: unknown) => this.logger.warn({ err: error, owner }, 'resource lists not re-read'))
      .finally(() => this.running.delete(owner));
  }
}
