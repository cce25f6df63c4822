import {
  BadExtensionError,
  BadRequestError,
  BusyHereError,
  CPIM,
  cpimProblem,
  IS_COMPOSING,
  LoopDetectedError,
  NoSuchDialogError,
  normalizeAor,
  RequestEntityTooLargeError,
  TooManyHopsError,
  type Clock,
  type LocationStore,
  type OfflineMessageStore,
} from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import type { BackgroundWork, Logger } from '@presence/runtime';
import type { IncomingRequest } from '@presence/sip';
import type { MessagingConfig } from '../edge-config.js';
import type { DomainPolicy } from '../ingress/domain-policy.js';
import type { ContactDelivery } from './contact-delivery.js';
import { forkToContacts } from './fork.js';
import type { ImdnNotifier } from './imdn-notifier.js';
import { RECIPIENT_LIST_MESSAGE } from './recipient-list.js';
import { RecipientListExploder, type RouteOutcome } from './recipient-list-exploder.js';
import { cameBackToUs, copyOfRequest, loopKey, storedMessage, type MessageCopy } from './message-copy.js';

/** Branch answers that mean nobody answered (timeout, no edge, transport failure as §16.7 passes it on). */
const UNREACHABLE: ReadonlySet<number> = new Set([408, 480, 500]);

/**
 * Page-mode MESSAGE (RFC 3428), acting as a forking proxy for the
 * recipient's AOR: checked (served domain, Max-Forwards, loop, size), then
 * sent to every registered contact at once, answered with the first 2xx or
 * the best final response; a recipient without a binding has the message
 * stored (answered 202 once it is durable) for delivery when it registers.
 * The sender's identity (From = the authenticated user) is checked before,
 * by the dispatcher's authentication.
 */
export class MessageHandler {
  private readonly exploder: RecipientListExploder;

  constructor(
    private readonly store: LocationStore & OfflineMessageStore,
    private readonly domains: DomainPolicy,
    private readonly delivery: ContactDelivery,
    private readonly config: MessagingConfig,
    private readonly clock: Clock,
    private readonly metrics: PresenceMetrics,
    /** Tells a sender that asked for IMDN what became of its message (RFC 5438). */
    private readonly notifier: Pick<ImdnNotifier, 'notify' | 'notifyLater'>,
    logger: Logger,
    /** Where the copies of a multi-recipient MESSAGE go on after its 202. */
    background: BackgroundWork,
    /** Told when a message joined the queue of a recipient that has bindings (delivery goes on from the store). */
    private readonly onQueuedForReachable: (recipient: string) => void = () => undefined,
  ) {
    this.exploder = new RecipientListExploder(config.exploderUser, domains, (recipient, copy, cseq) => this.route(recipient, copy, cseq, false), notifier, metrics, logger, background);
  }

  async handle(request: IncomingRequest): Promise<void> {
    // RFC 3261 §16.3 validation (hops, loop) comes before the targets are looked at (§16.5).
    const copy = this.checked(request);
    if (this.exploder.addressedToUs(request)) {
      this.metrics.messagesReceived.inc();
      return this.exploder.explode(request, copy);
    }
    if (request.headerValues('require').some((tag) => tag.trim().toLowerCase() === RECIPIENT_LIST_MESSAGE)) {
      // RFC 3261 §8.2.2.3: only the exploder URI is a URI-list service (RFC 5365 §7); at any other the option tag is
      // unsupported, and 420 + Unsupported lets the UAC retry without it (§8.1.3.5) where 403 would read as a refusal.
      throw new BadExtensionError(`Bad Extension (${RECIPIENT_LIST_MESSAGE} is served at sip:${this.config.exploderUser}@<served domain> only)`, [RECIPIENT_LIST_MESSAGE]);
    }
    const recipient = normalizeAor(request.uri);
    // No open relay: a recipient in a domain we do not serve is 404, whoever asks.
    this.domains.requireServed(recipient);
    this.metrics.messagesReceived.inc();
    // RFC 3994 §3: an is-composing indication is live state; stale, it would mislead, so it is never stored.
    const outcome = await this.route(recipient, copy, request.cseq.seq, request.contentType === IS_COMPOSING);
    request.respond(outcome.status, outcome.reason);
    if (outcome.status === 202) this.notifier.notifyLater({ sender: normalizeAor(request.from.uri), contentType: request.contentType, body: request.bodyBytes }, recipient, 'stored');
  }

  /** Sends `copy` to the recipient's contacts, or stores it (202) when it has none or older messages wait. */
  private async route(recipient: string, copy: MessageCopy, cseq: number, live: boolean): Promise<RouteOutcome> {
    const bindings = await this.store.bindings(recipient, this.clock.now());
    if (bindings.length === 0) {
      if (live) return { status: 480, reason: 'Temporarily Unavailable (isComposing is never stored)' };
      const stored = await this.storeForLater(recipient, copy, cseq);
      // The recipient may have registered between our look at its bindings and the store (a list copy goes on after
      // the sender's 202; the store may be a hop away): its REGISTER then found nothing to deliver. Looking again after
      // storing closes that gap (one of the two always sees the other), rather than leaving it to the offline sweep.
      if (stored.status === 202 && (await this.store.bindings(recipient, this.clock.now())).length > 0) this.onQueuedForReachable(recipient);
      return stored;
    }
    // Stored messages still waiting (being delivered, or their delivery failed): this one queues behind them, never overtakes.
    if (!live && (await this.store.offlineMessages(recipient, 1)).messages.length > 0) {
      const stored = await this.storeForLater(recipient, copy, cseq);
      this.onQueuedForReachable(recipient);
      return stored;
    }
    const result = await forkToContacts(this.delivery, bindings, copy);
    if (result.delivered) {
      this.metrics.messagesDelivered.inc({ path: 'online' });
      // 200 whatever 2xx the UA gave: a 202 from us means stored, and must not be mistaken for it.
      return { status: 200, reason: 'OK' };
    }
    this.metrics.messagesFailed.inc({ reason: UNREACHABLE.has(result.status) ? 'unreachable' : 'rejected' });
    return { status: result.status, reason: result.reason };
  }

  /** RFC 3261 §16.3 steps 3 and 4, then the size cap; the copy to send on. */
  private checked(request: IncomingRequest): MessageCopy {
    // RFC 3428 §4: a page-mode MESSAGE is outside any dialog; one with a To tag names a dialog this server never has (RFC 3261 §12.2.2).
    if (request.to.params.tag !== undefined) throw new NoSuchDialogError('Call/Transaction Does Not Exist (MESSAGE with a To tag: no such dialog here)');
    if (request.expires !== undefined && Number.isNaN(request.expires)) throw new BadRequestError('Invalid Expires');
    const hops = request.maxForwards;
    if (hops !== undefined && Number.isNaN(hops)) throw new BadRequestError('Invalid Max-Forwards');
    if (hops === 0) throw new TooManyHopsError('Too Many Hops');
    const key = loopKey(request);
    if (cameBackToUs(request, key)) throw new LoopDetectedError('Loop Detected');
    const bytes = request.bodyBytes.length;
    if (bytes > this.config.maxMessageBytes) throw new RequestEntityTooLargeError(`Message body of ${bytes} bytes exceeds ${this.config.maxMessageBytes}`);
    const cpim = request.contentType === CPIM ? cpimProblem(request.body) : undefined;
    if (cpim !== undefined) throw new BadRequestError(`Malformed message/cpim: ${cpim}`);
    return copyOfRequest(request, key, this.clock.now());
  }

  /**
   * Durable before the answer: 202 means the message will not be lost (issue #13).
   * RFC 3428 §10: Expires is how long the content stays meaningful; a stored
   * message lapses then (never later than the configured time to live), and
   * one already stale is not stored at all.
   */
  private async storeForLater(recipient: string, copy: MessageCopy, cseq: number): Promise<RouteOutcome> {
    const expires = copy.headers.Expires === undefined ? undefined : Number(copy.headers.Expires) * 1000;
    if (expires === 0) return { status: 480, reason: 'Temporarily Unavailable (Expires: 0, not stored)' };
    const limits = { maxMessages: this.config.offlineMessagesPerUser, ttlMs: Math.min(this.config.offlineMessageTtlMs, expires ?? Number.POSITIVE_INFINITY) };
    const outcome = await this.store.storeOfflineMessage(recipient, storedMessage(copy, cseq), limits);
    if (outcome.expired > 0) this.metrics.messagesExpired.inc(outcome.expired);
    if (!outcome.stored) {
      this.metrics.messagesFailed.inc({ reason: 'store_full' });
      throw new BusyHereError(`Busy Here: offline message store full for this recipient (${limits.maxMessages} messages)`);
    }
    this.metrics.messagesStored.inc();
    return { status: 202, reason: 'Accepted (stored for delivery)' };
  }
}
