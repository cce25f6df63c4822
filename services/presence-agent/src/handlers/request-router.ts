import { receivedValue, respondWithValue, type BusMessage } from '@presence/bus';
import { decodeAgentRequest, encodeMessage, ContractError, type AgentReply, type AgentRequest } from '@presence/contracts';
import { PresenceError, type Clock } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import type { Logger } from '@presence/runtime';
import type { FetchHandler } from './fetch-handler.js';
import type { PublishHandler } from './publish-handler.js';
import { deadlinePassed, RequestExpiredError } from './request-deadline.js';
import type { SubscribeHandler } from './subscribe-handler.js';
import type { WatchersHandler } from './watchers-handler.js';

export interface RequestGuards {
  readonly clock: Clock;
  /** Requests count as expired this much before their deadline (clock skew between hosts). */
  readonly deadlineMarginMs: number;
  /** False once this agent can no longer be sure it holds the partition's lease (it then stops serving it). */
  readonly serving: (partition: number) => boolean;
  readonly metrics: PresenceMetrics;
}

/** Nothing to answer: the request was dropped unapplied, its edge no longer waits for it. */
const DROPPED = Symbol('dropped');

/**
 * Decodes an agent request at the boundary, runs its handler and answers:
 * domain errors become error replies carrying their SIP status, so the edge
 * never waits out a timeout because a handler failed. Two guards come first
 * (ARCHITECTURE "Request deadlines"): a request whose deadline passed is
 * dropped unapplied and unanswered (the edge answered 503 already), and a
 * request for a partition whose lease may have lapsed (the process stalled)
 * is refused 503 without applying anything.
 */
export class RequestRouter {
  constructor(
    private readonly handlers: { publish: PublishHandler; subscribe: SubscribeHandler; fetch: FetchHandler; watchers: WatchersHandler },
    private readonly logger: Logger,
    private readonly guards: RequestGuards,
  ) {}

  async onMessage(message: BusMessage, partition: number): Promise<void> {
    const reply = await this.route(message, partition);
    if (reply !== DROPPED) respondWithValue(message, reply, encodeMessage);
  }

  private async route(message: BusMessage, partition: number): Promise<AgentReply | typeof DROPPED> {
    let request: AgentRequest;
    try {
      // In-process (LocalBus) the edge's request arrives as a frozen value, typed by the edge's own code: nothing to decode.
      request = receivedValue(message, decodeAgentRequest);
    } catch (error) {
      this.logger.warn({ err: error }, 'undecodable agent request');
      return errorReply(400, error instanceof ContractError ? `Bad agent request: ${error.message}` : 'Bad agent request', {});
    }
    if (deadlinePassed(request.deadline, this.guards.clock.now(), this.guards.deadlineMarginMs)) return this.expired(request);
    if (!this.guards.serving(partition)) return errorReply(503, 'Partition moving', { 'retry-after': '1' });
    try {
      switch (request.type) {
        case 'publish':
          return await this.handlers.publish.handle(request);
        case 'subscribe':
          return await this.handlers.subscribe.handle(request);
        case 'unsubscribe':
          return await this.handlers.subscribe.handleUnsubscribe(request);
        case 'fetch':
          return await this.handlers.fetch.handle(request);
        case 'watchers':
          return await this.handlers.watchers.handle(request);
      }
    } catch (error) {
      if (error instanceof RequestExpiredError) return this.expired(request);
      if (error instanceof PresenceError) return errorReply(error.status, error.reason, error.headers());
      this.logger.error({ err: error, type: request.type }, 'agent request failed');
      return errorReply(500, 'Server Internal Error', {});
    }
  }

  private expired(request: AgentRequest): typeof DROPPED {
    this.guards.metrics.busRequestsExpired.inc({ type: request.type });
    this.logger.debug({ type: request.type, deadline: request.deadline }, 'agent request past its deadline: dropped unapplied');
    return DROPPED;
  }
}

function errorReply(status: number, reason: string, headers: Record<string, string>): AgentReply {
  return { v: 1, type: 'error', status, reason, headers };
}
