import type { SubscribeCommand, UnsubscribeReason, WatchersReply } from '@presence/contracts';
import { authorized, type SubscriptionDecision, type WatcherAgent } from '../subscriptions/index.js';
import type { AgentClient } from './agent-client.js';

/**
 * The agent as a presence.winfo dialog needs it (RFC 3857): the state of a
 * winfo subscription is the presentity's watcher list, asked of the agent
 * that owns it. Nothing is recorded there for the winfo subscriber: its
 * dialog lives at this edge (mirrored like any other), so ending it tells
 * the agent nothing.
 */
export class WatcherInfoAgent implements WatcherAgent<WatchersReply> {
  constructor(
    private readonly agent: Pick<AgentClient, 'watchers'>,
    private readonly listLimit: number,
  ) {}

  /** Not subject to pres-rules: only the presentity may subscribe to its own watcher list (ingress checks). */
  async subscribe(fields: Omit<SubscribeCommand, 'v' | 'type'>): Promise<SubscriptionDecision<WatchersReply>> {
    return authorized(await this.agent.watchers(fields.presentity, this.listLimit));
  }

  async unsubscribe(_presentity: string, _subscriptionId: string, _reason: UnsubscribeReason): Promise<void> {}

  fetchStates(presentities: readonly string[]): Promise<WatchersReply[]> {
    return Promise.all(presentities.map((presentity) => this.agent.watchers(presentity, this.listLimit)));
  }
}
