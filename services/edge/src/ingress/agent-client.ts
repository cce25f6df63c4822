import { BusTimeoutError, NoRespondersError, requestValue, type Bus, type ValueCodec } from '@presence/bus';
import {
  decodeAgentReply,
  encodeMessage,
  type AgentReply,
  type AgentRequest,
  type PresentitySnapshot,
  type SubscribeCommand,
  type SubscribedReply,
  type Subjects,
  type UnsubscribeReason,
  type WatchersReply,
} from '@presence/contracts';
import { partitionOf, PresenceError, ServiceUnavailableError, type Clock } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';

/** An error the agent answered: passed to the SIP client as is. */
export class AgentRejection extends PresenceError {
  constructor(
    readonly status: number,
    reason: string,
    private readonly extraHeaders: Readonly<Record<string, string>>,
  ) {
    super(reason);
  }
  override headers(): Record<string, string> {
    return { ...this.extraHeaders };
  }
}

export interface AgentClientOptions {
  readonly partitionCount: number;
  /** Per attempt. */
  readonly timeoutMs: number;
  /** Total time spent retrying "no responders" (partition moving) before 503. */
  readonly retryBudgetMs: number;
  readonly retryAfterSeconds: number;
  /** Wall clock stamping each attempt's deadline (epoch ms); default Date.now. */
  readonly clock?: Clock;
}

type Success = Exclude<AgentReply, { type: 'error' }>;

/** Agent requests as JSON over NATS or IPC; in-process, flat ones and their flat replies are handed over as values. */
const AGENT_CODEC: ValueCodec<AgentReply> = {
  encode: (request) => encodeMessage(request as AgentRequest),
  decodeReply: decodeAgentReply,
};

/**
 * Edge side of the edge <-> agent protocol: routes each request to the
 * partition owner of its presentity (ARCHITECTURE "Partitions and leases"),
 * retries with backoff while nobody owns the partition, and turns every
 * failure into a PresenceError with the SIP status to answer.
 */
export class AgentClient {
  constructor(
    private readonly bus: Bus,
    private readonly subjects: Subjects,
    private readonly options: AgentClientOptions,
    private readonly metrics: PresenceMetrics,
  ) {}

  async send<T extends Success['type']>(presentity: string, request: AgentRequest, expected: T): Promise<Extract<Success, { type: T }>> {
    const subject = this.subjects.agent(partitionOf(presentity, this.options.partitionCount));
    const reply = await this.requestWithRetry(subject, request);
    if (reply.type === 'error') throw new AgentRejection(reply.status, reply.reason, reply.headers);
    if (reply.type !== expected) throw new ServiceUnavailableError(`agent answered ${reply.type} to ${request.type}`, this.options.retryAfterSeconds);
    return reply as Extract<Success, { type: T }>;
  }

  /** Records or refreshes a watcher at the agent; resolves with its authorization decision and the presentity's current state. */
  async subscribe(fields: Omit<SubscribeCommand, 'v' | 'type'>): Promise<SubscribedReply> {
    return this.send(fields.presentity, { v: 1, type: 'subscribe', ...fields }, 'subscribed');
  }

  async unsubscribe(presentity: string, subscriptionId: string, reason: UnsubscribeReason): Promise<void> {
    await this.send(presentity, { v: 1, type: 'unsubscribe', presentity, subscriptionId, reason }, 'unsubscribed');
  }

  /** The presentity's watchers (RFC 3857 full state), at most `limit`; a longer list is refused by the agent. */
  async watchers(presentity: string, limit: number): Promise<WatchersReply> {
    return this.send(presentity, { v: 1, type: 'watchers', presentity, limit }, 'watchers');
  }

  /** Current states of presentities of one partition (the first names it). */
  async fetchStates(presentities: readonly string[]): Promise<readonly PresentitySnapshot[]> {
    const reply = await this.send(presentities[0]!, { v: 1, type: 'fetch', presentities }, 'states');
    return reply.states;
  }

  /**
   * Each attempt carries its own deadline, the end of its timeout: the agent
   * never applies it later, as this side may have answered 503 by then
   * (ARCHITECTURE "Request deadlines").
   */
  private async requestWithRetry(subject: string, request: AgentRequest): Promise<AgentReply> {
    const started = performance.now();
    const now = () => this.options.clock?.now() ?? Date.now();
    let backoffMs = 25;
    for (;;) {
      try {
        // Object.assign, not `{ ...request, deadline }`: a spread copy given a new member is a slow path of V8 (core's frozen-copy.ts).
        const attempt = Object.assign({}, request, { deadline: now() + this.options.timeoutMs });
        const reply = await requestValue(this.bus, subject, attempt, AGENT_CODEC, { timeoutMs: this.options.timeoutMs });
        this.metrics.busRequestSeconds.observe({ outcome: 'ok' }, (performance.now() - started) / 1000);
        return reply;
      } catch (error) {
        const elapsed = performance.now() - started;
        if (error instanceof NoRespondersError && elapsed + backoffMs < this.options.retryBudgetMs) {
          await new Promise((resolve) => setTimeout(resolve, backoffMs));
          backoffMs = Math.min(backoffMs * 2, 500);
          continue;
        }
        const outcome = error instanceof NoRespondersError ? 'no_responders' : error instanceof BusTimeoutError ? 'timeout' : 'error';
        this.metrics.busRequestSeconds.observe({ outcome }, elapsed / 1000);
        throw new ServiceUnavailableError(`presence agent unavailable (${outcome})`, this.options.retryAfterSeconds, { cause: error });
      }
    }
  }
}
