import type { Bus, BusMessage, BusSubscription } from '@presence/bus';
import { decodeAuthorizationChange, type AuthorizationChange, type Subjects } from '@presence/contracts';
import type { Logger } from '@presence/runtime';

/** Who applies a watcher's new authorization (the subscriptions holding its dialog). */
export interface AuthorizationDelegate {
  onAuthorization(change: AuthorizationChange): void;
}

/**
 * This edge's side of `edge.<id>.authz`: the agent owning a presentity
 * decided a watcher whose dialog is held here again after a pres-rules
 * change (issue #12: the agent decides, the edge carries the decision).
 */
export class AuthorizationChanges {
  /** Set once while wiring (edge.ts). */
  delegate: AuthorizationDelegate | undefined;
  private readonly subscription: BusSubscription;

  constructor(
    bus: Bus,
    subjects: Subjects,
    edgeId: string,
    private readonly logger: Logger,
  ) {
    this.subscription = bus.subscribe(subjects.edgeAuthorization(edgeId), this.onMessage);
  }

  stop(): void {
    this.subscription.unsubscribe();
  }

  private readonly onMessage = (message: BusMessage): void => {
    let change: AuthorizationChange;
    try {
      change = decodeAuthorizationChange(message.data);
    } catch (error) {
      this.logger.warn({ err: error }, 'dropping undecodable authorization change');
      return;
    }
    this.delegate?.onAuthorization(change);
  };
}
