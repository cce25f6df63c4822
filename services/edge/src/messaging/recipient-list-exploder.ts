import { createHash } from 'node:crypto';
import { ExtensionRequiredError, normalizeAor, PresenceError, ServiceUnavailableError, tryParseSipUri } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import type { BackgroundWork, Logger } from '@presence/runtime';
import type { IncomingRequest } from '@presence/sip';
import type { DomainPolicy } from '../ingress/domain-policy.js';
import type { ImdnNotifier } from './imdn-notifier.js';
import { loopKey, type MessageCopy } from './message-copy.js';
import { valueToken } from './multipart.js';
import { parseRecipientListMessage, RECIPIENT_LIST_MESSAGE, recipientCopy, type RecipientListMessage } from './recipient-list.js';

/** Most recipients one MESSAGE may name: every copy is a delivery of its own. */
export const MAX_LIST_RECIPIENTS = 100;
/** Retry-After of a 503 while the background work is full: copies take a transaction (seconds) each. */
const BUSY_RETRY_AFTER_SECONDS = 5;

/** What became of one copy: 200 delivered, 202 stored, else the failure. */
export interface RouteOutcome {
  readonly status: number;
  readonly reason: string;
}

/** Sends one copy to one recipient's AOR as any MESSAGE is (its contacts, or its offline queue). */
export type RouteCopy = (recipient: string, copy: MessageCopy, cseq: number) => Promise<RouteOutcome>;

/**
 * The multi-recipient MESSAGE service (RFC 5365) at sip:<exploder user>@
 * <served domain>: the request's URI list is checked, the sender answered
 * 202 (each recipient is yet to be reached, some maybe only when they
 * register), then every recipient gets its own copy: the message and the
 * recipient list without its bcc entries. A recipient that cannot get it
 * is reported to the sender, as RFC 5365 §6 says, by an IMDN negative
 * delivery notification when the message (message/cpim) asked for those.
 */
export class RecipientListExploder {
  constructor(
    private readonly exploderUser: string,
    private readonly domains: DomainPolicy,
    private readonly route: RouteCopy,
    private readonly notifier: Pick<ImdnNotifier, 'notify'>,
    private readonly metrics: PresenceMetrics,
    private readonly logger: Logger,
    /** Holds the copies sent after the 202, so a SIGTERM drain waits for them; full, a new list MESSAGE is 503. */
    private readonly background: BackgroundWork,
  ) {}

  /** True for a request to the exploder URI of a domain served here. */
  addressedToUs(request: IncomingRequest): boolean {
    const uri = tryParseSipUri(request.uri);
    return uri !== undefined && uri.user === this.exploderUser && this.domains.serves(normalizeAor(request.uri));
  }

  async explode(request: IncomingRequest, copy: MessageCopy): Promise<void> {
    if (!request.headerValues('require').some((tag) => tag.trim().toLowerCase() === RECIPIENT_LIST_MESSAGE)) {
      // RFC 5365 §5-6: the UAC asks for the service with this option tag; without it, 421 says which (RFC 3261 §21.4.21).
      throw new ExtensionRequiredError(`Extension Required (a MESSAGE to the multi-recipient service needs Require: ${RECIPIENT_LIST_MESSAGE})`, [RECIPIENT_LIST_MESSAGE]);
    }
    const message = parseRecipientListMessage(request.header('content-type') ?? '', request.bodyBytes, MAX_LIST_RECIPIENTS);
    if (!this.background.hasRoom) throw new ServiceUnavailableError('Service Unavailable (too many multi-recipient MESSAGEs in progress)', BUSY_RETRY_AFTER_SECONDS);
    request.respond(202, `Accepted (sent on to ${message.recipients.length} recipients)`);
    this.background.run(() => this.sendCopies(request, copy, message));
  }

  /** Every recipient's copy, at once; a failed one reported to the sender when it asked (RFC 5365 §6). */
  private async sendCopies(request: IncomingRequest, copy: MessageCopy, message: RecipientListMessage): Promise<void> {
    const sender = normalizeAor(request.from.uri);
    const boundary = `list-${createHash('sha256').update(request.callId).digest('hex').slice(0, 16)}`;
    const { contentType, body } = recipientCopy(message, boundary);
    await Promise.all(
      message.recipients.map(async ({ uri }) => {
        const outcome = await this.sendCopy(request, copy, uri, contentType, body);
        const result = outcome.status === 202 ? 'stored' : outcome.status < 300 ? 'delivered' : 'failed';
        this.metrics.messageListCopies.inc({ result });
        if (result !== 'failed') return;
        this.logger.info({ sender, recipient: uri, status: outcome.status, reason: outcome.reason }, 'multi-recipient MESSAGE copy not delivered');
        await this.notifier.notify({ sender, contentType: valueToken(message.contentType), body: message.body }, uri, 'failed');
      }),
    );
  }

  /** One recipient's copy: its own To, Call-ID and loop key; a recipient we do not serve is 404 like any MESSAGE. */
  private async sendCopy(request: IncomingRequest, copy: MessageCopy, uri: string, contentType: string, body: Uint8Array): Promise<RouteOutcome> {
    try {
      const recipient = normalizeAor(uri);
      this.domains.requireServed(recipient);
      const callId = `${request.callId}-${createHash('sha256').update(recipient).digest('base64url').slice(0, 10)}`;
      const headers = { ...copy.headers, To: `<${uri}>`, 'Call-ID': callId, 'Content-Type': contentType };
      const key = loopKey({ callId, cseq: request.cseq, from: request.from, to: { ...request.to, uri } });
      return await this.route(recipient, { headers, body, branchKey: key }, request.cseq.seq);
    } catch (error) {
      if (error instanceof PresenceError) return { status: error.status, reason: error.reason };
      this.logger.warn({ err: error, recipient: uri }, 'multi-recipient MESSAGE copy failed');
      return { status: 500, reason: 'Server Internal Error' };
    }
  }
}
