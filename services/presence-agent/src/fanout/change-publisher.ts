import type { Bus } from '@presence/bus';
import { encodeMessage, type Subjects } from '@presence/contracts';
import type { PresentityState } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';

/**
 * One bus message per change of a composed document (ARCHITECTURE "push
 * fan-out to the edges"): the edges that hold watchers subscribe to the
 * presentity's subject and render the NOTIFYs themselves.
 */
export class ChangePublisher {
  constructor(
    private readonly bus: Bus,
    private readonly subjects: Subjects,
    private readonly metrics: PresenceMetrics,
  ) {}

  publish(partition: number, state: PresentityState, changedAt: number): void {
    const event = encodeMessage({
      v: 1,
      type: 'change',
      presentity: state.presentity,
      version: state.version,
      incarnation: state.incarnation,
      document: state.document,
      changedAt,
    });
    this.bus.publish(this.subjects.change(partition, state.presentity), event);
    this.metrics.changesPublished.inc();
    this.metrics.busMessagesPerChange.inc({ direction: 'out' });
  }
}
