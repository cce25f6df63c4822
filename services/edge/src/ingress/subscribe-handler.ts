import {
  BadRequestError,
  negotiateExpires,
  nextSubscriptionState,
  normalizeAor,
  NoSuchSubscriptionError,
  ServerInternalError,
  type Clock,
  type ExpiresPolicy,
} from '@presence/core';
import type { PresentitySnapshot, SubscribeCommand } from '@presence/contracts';
import { newTag, parseSipUri, type IncomingRequest } from '@presence/sip';
import type { SubscriptionRegistry } from '../egress/subscription-registry.js';
import { shared } from '../egress/compact-string.js';
import { dialogId, WatcherDialog } from '../egress/watcher-dialog.js';
import type { AgentClient } from './agent-client.js';
import type { DomainPolicy } from './domain-policy.js';
import { requireAcceptsPidf, requirePresenceEvent, type EventHeader } from './sip-headers.js';

export interface SubscribeHandlerDeps {
  readonly agent: AgentClient;
  readonly registry: SubscriptionRegistry;
  readonly domains: DomainPolicy;
  readonly policy: ExpiresPolicy;
  readonly clock: Clock;
  readonly edgeId: string;
  /** Our Contact URI on the transport of a flow. */
  readonly localContact: (request: IncomingRequest) => string;
}

/**
 * SUBSCRIBE for the presence package (RFC 6665 §4.2.1, RFC 3856 §6): creates
 * a dialog, refreshes or ends it, or serves a fetch (Expires 0 outside a
 * dialog: one NOTIFY, nothing kept). The agent records the watcher and gives
 * the current state; the NOTIFYs are sent from here.
 */
export class SubscribeHandler {
  constructor(private readonly deps: SubscribeHandlerDeps) {}

  async handle(request: IncomingRequest): Promise<void> {
    const event = requirePresenceEvent(request, 'bad-request');
    requireAcceptsPidf(request);
    const toTag = request.to.params.tag;
    if (toTag) return this.inDialog(request, toTag);
    return this.initial(request, event);
  }

  private async initial(request: IncomingRequest, event: EventHeader): Promise<void> {
    // Shared: the interest in it, and every dialog watching it, keep this one copy.
    const presentity = shared(normalizeAor(request.uri));
    this.deps.domains.requireServed(presentity);
    const remoteTag = request.from.params.tag;
    if (!remoteTag) throw new BadRequestError('Missing From tag');
    const contact = request.contacts === '*' ? undefined : request.contacts[0];
    if (!contact) throw new BadRequestError('Missing Contact header');
    // RFC 3261 §8.1.1.8: a dialog-creating request's Contact is a SIP or SIPS URI; our NOTIFYs go there.
    const scheme = parseSipUri(contact.uri)?.scheme;
    if (scheme !== 'sip' && scheme !== 'sips') throw new BadRequestError('Malformed Contact');
    const expires = negotiateExpires(request.expires, this.deps.policy);
    const localTag = newTag();
    const id = dialogId(request.callId, remoteTag, localTag);
    const watcher = normalizeAor(request.from.uri);
    await this.deps.registry.withInterest(presentity, async () => {
      const reply = await this.subscribeAtAgent({ presentity, subscriptionId: id, watcher, event: event.packageName, expires });
      await this.startDialog(request, {
        id,
        localTag,
        remoteTag,
        remoteTarget: contact.uri,
        presentity,
        event: event.value,
        expires,
      }, reply);
    });
  }

  private async startDialog(
    request: IncomingRequest,
    fields: { id: string; localTag: string; remoteTag: string; remoteTarget: string; presentity: string; event: string; expires: number },
    reply: PresentitySnapshot,
  ): Promise<void> {
    const { id, localTag, remoteTag, presentity, expires } = fields;
    const dialog = new WatcherDialog({
      id,
      callId: request.callId,
      localTag,
      remoteTag,
      localUri: request.to.uri,
      remoteUri: request.from.uri,
      remoteTarget: fields.remoteTarget,
      // RFC 3261 §12.1.1: the UAS route set is the Record-Route list in order.
      routeSet: request.recordRoute,
      presentity,
      event: fields.event,
      flow: request.flow.token,
      localContact: this.deps.localContact(request),
      localCseq: Math.floor(Math.random() * 10_000),
      remoteCseq: request.cseq.seq,
      expiresAt: this.deps.clock.now() + expires * 1000,
    });
    if (expires === 0) {
      // RFC 6665 §4.4.3: a fetch gets exactly one NOTIFY, terminated;reason=timeout, and no state is kept.
      this.respond(request, dialog, 0);
      dialog.terminated = true;
      await this.deps.registry.notifyFetch(dialog, reply.document);
      return;
    }
    await this.deps.registry.activate(dialog, reply);
    this.respond(request, dialog, expires);
    this.deps.registry.notifyNow(dialog);
  }

  private async inDialog(request: IncomingRequest, toTag: string): Promise<void> {
    const remoteTag = request.from.params.tag ?? '';
    const id = dialogId(request.callId, remoteTag, toTag);
    const localContact = this.deps.localContact(request);
    const dialog =
      this.deps.registry.find(id) ??
      (await this.deps.registry.adopt(id, request.flow.token, localContact, (presentity) => this.currentState(presentity, id)));
    if (!dialog) throw new NoSuchSubscriptionError('Subscription does not exist');
    // RFC 3261 §12.2.2: a request with a lower CSeq than the last one in the dialog is out of order.
    if (request.cseq.seq <= dialog.remoteCseq) throw new ServerInternalError('Out of order CSeq');
    dialog.remoteCseq = request.cseq.seq;
    dialog.follow(request.flow.token, localContact);
    const expires = negotiateExpires(request.expires, this.deps.policy);
    const reply = await this.subscribeAtAgent({
      presentity: dialog.presentity,
      subscriptionId: id,
      watcher: dialog.watcher,
      event: dialog.event.split(';')[0]!.trim(),
      expires,
    });
    if (expires === 0) {
      // RFC 6665 §4.2.1.4: unsubscribing is a refresh to 0; the final NOTIFY carries the current state.
      this.respond(request, dialog, 0);
      const reason = nextSubscriptionState({ status: 'active', expiresAt: dialog.expiresAt }, { type: 'unsubscribed' }).reason ?? 'timeout';
      await this.deps.registry.terminate(dialog, { reason, document: reply.document, forget: false });
      return;
    }
    await this.deps.registry.refresh(dialog, this.deps.clock.now() + expires * 1000, reply);
    this.respond(request, dialog, expires);
    this.deps.registry.notifyNow(dialog);
  }

  private async subscribeAtAgent(fields: Omit<SubscribeCommand, 'v' | 'type' | 'edgeId'>): Promise<PresentitySnapshot> {
    const reply = await this.deps.agent.send(fields.presentity, { v: 1, type: 'subscribe', edgeId: this.deps.edgeId, ...fields }, 'subscribed');
    return reply.state;
  }

  private async currentState(presentity: string, id: string): Promise<PresentitySnapshot> {
    const reply = await this.deps.agent.send(presentity, { v: 1, type: 'fetch', presentities: [presentity] }, 'states');
    const state = reply.states[0];
    if (!state) throw new NoSuchSubscriptionError(`No state for adopted subscription ${id}`);
    return state;
  }

  private respond(request: IncomingRequest, dialog: WatcherDialog, expires: number): void {
    request.respond(200, 'OK', {
      toTag: dialog.localTag,
      headers: { expires: String(expires), contact: `<${dialog.localContact}>` },
    });
  }
}
