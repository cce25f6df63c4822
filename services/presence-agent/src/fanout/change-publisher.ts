import { publishValue, type Bus } from '@presence/bus';
import { encodeMessage, type ChangeEvent, type Subjects } from '@presence/contracts';
import type { PresentityState } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import type { Logger } from '@presence/runtime';

/** The restricted views of one version (WatcherViews.render); undefined when no watcher holds one. */
export type ViewRenderer = (presentity: string, version: number, document: string) => Promise<Record<string, string> | undefined>;

/**
 * One bus message per change of a composed document (ARCHITECTURE "push
 * fan-out to the edges"): the edges that hold watchers subscribe to the
 * presentity's subject and render the NOTIFYs themselves. The restricted
 * views its watchers hold (pres-rules transformations) travel in the same
 * message, rendered here once per version and view (issue #12).
 */
export class ChangePublisher {
  constructor(
    private readonly bus: Bus,
    private readonly subjects: Subjects,
    private readonly metrics: PresenceMetrics,
    private readonly views?: { readonly render: ViewRenderer; readonly logger: Logger },
    /** Told of each committed version before its views are rendered (the sphere follower). */
    private readonly onCommitted?: (partition: number, state: PresentityState) => void,
  ) {}

  async publish(partition: number, state: PresentityState, changedAt: number): Promise<void> {
    this.onCommitted?.(partition, state);
    const views = await this.viewsOf(state);
    // In standalone (LocalBus) a change no edge watches is never encoded.
    const event: ChangeEvent = {
      v: 1,
      type: 'change',
      presentity: state.presentity,
      version: state.version,
      incarnation: state.incarnation,
      document: state.document,
      ...(views === undefined ? {} : { views }),
      changedAt,
    };
    publishValue(this.bus, this.subjects.change(partition, state.presentity), event, encodeMessage);
    this.metrics.changesPublished.inc();
    this.metrics.busMessagesPerChange.inc({ direction: 'out' });
  }

  /** A store failure while learning the watchers' views must not hold the change back: restricted watchers then see the offline document (fail closed). */
  private async viewsOf(state: PresentityState): Promise<Record<string, string> | undefined> {
    if (this.views === undefined) return undefined;
    try {
      return await this.views.render(state.presentity, state.version, state.document);
    } catch (error) {
      this.metrics.internalErrors.inc({ source: 'views' });
      this.views.logger.warn({ err: error, presentity: state.presentity }, 'change published without its restricted views');
      return undefined;
    }
  }
}
