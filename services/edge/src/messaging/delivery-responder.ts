import type { Bus, BusMessage, BusSubscription } from '@presence/bus';
import { decodeDeliverRequest, encodeMessage, type Subjects } from '@presence/contracts';
import type { Logger } from '@presence/runtime';
import type { ContactDelivery } from './contact-delivery.js';

/**
 * This edge's side of `edge.<id>.deliver`: another edge has a MESSAGE for a
 * UA whose connection is held here; it is sent on that flow and the UA's
 * final response goes back as the reply. A request that does not decode is
 * answered 400, never dropped unanswered (the other edge would wait).
 */
export class DeliveryResponder {
  private readonly subscription: BusSubscription;

  constructor(
    bus: Bus,
    subjects: Subjects,
    edgeId: string,
    private readonly delivery: ContactDelivery,
    private readonly logger: Logger,
  ) {
    this.subscription = bus.subscribe(subjects.edgeDeliver(edgeId), (message) => this.serve(message));
  }

  /** Stops taking requests; those under way finish and are answered. */
  stop(): Promise<void> {
    return this.subscription.drain();
  }

  private async serve(message: BusMessage): Promise<void> {
    let reply: { status: number; reason: string };
    try {
      const request = decodeDeliverRequest(message.data);
      reply = await this.delivery.sendHere(request.flow, request.uri, { headers: request.headers, body: request.body, branchKey: request.branchKey });
    } catch (error) {
      this.logger.warn({ err: error }, 'undeliverable deliver request from another edge');
      reply = { status: 400, reason: 'Bad Request (deliver request)' };
    }
    message.respond(encodeMessage({ v: 1, type: 'delivered', status: reply.status, reason: reply.reason }));
  }
}
