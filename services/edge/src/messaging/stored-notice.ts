import { randomBytes } from 'node:crypto';
import { CPIM, imdnRequest, normalizeAor, storedNoticeBody, wantsStoredNotice, type Clock, type LocationStore, type OfflineMessageStore } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import type { Logger } from '@presence/runtime';
import type { IncomingRequest } from '@presence/sip';
import type { MessagingConfig } from '../edge-config.js';
import type { ContactDelivery } from './contact-delivery.js';
import { forkToContacts } from './fork.js';
import { storedMessage, type MessageCopy } from './message-copy.js';

/** Hops a MESSAGE the server originates may take (RFC 3261 §8.1.1.6). */
const MAX_FORWARDS = '70';

/**
 * Tells the sender of a stored message/cpim MESSAGE that asked for IMDN
 * (RFC 5438) that it was stored: a "stored" processing notification, a
 * MESSAGE from the recipient's AOR to the sender's, sent to the sender's
 * contacts, or kept in the sender's own offline queue when it has none.
 * After the 202: a notice that fails is logged and counted, never the
 * sender's answer.
 */
export class StoredNotice {
  constructor(
    private readonly store: LocationStore & OfflineMessageStore,
    private readonly delivery: ContactDelivery,
    private readonly config: MessagingConfig,
    private readonly clock: Clock,
    private readonly metrics: PresenceMetrics,
    private readonly logger: Logger,
  ) {}

  /** Sends the notice if `request` asked for one; never rejects. */
  async afterStored(request: IncomingRequest, recipient: string): Promise<void> {
    if (request.contentType !== CPIM) return;
    const imdn = imdnRequest(request.body);
    if (imdn === undefined || !wantsStoredNotice(imdn)) return;
    const sender = normalizeAor(request.from.uri);
    try {
      const now = this.clock.now();
      const body = storedNoticeBody(imdn, { sender, recipient, noticeId: randomBytes(9).toString('base64url'), now });
      const copy: MessageCopy = {
        headers: {
          From: `<${recipient}>;tag=${randomBytes(6).toString('hex')}`,
          To: `<${sender}>`,
          'Call-ID': `imdn-${randomBytes(12).toString('base64url')}`,
          CSeq: '1 MESSAGE',
          Date: new Date(now).toUTCString(),
          'Max-Forwards': MAX_FORWARDS,
          'Content-Type': CPIM,
        },
        body,
      };
      const bindings = await this.store.bindings(sender, now);
      if (bindings.length > 0 && (await forkToContacts(this.delivery, bindings, copy)).delivered) return this.metrics.imdnStoredNotices.inc({ result: 'sent' });
      const limits = { maxMessages: this.config.offlineMessagesPerUser, ttlMs: this.config.offlineMessageTtlMs };
      const outcome = await this.store.storeOfflineMessage(sender, storedMessage(copy, 1), limits);
      this.metrics.imdnStoredNotices.inc({ result: outcome.stored ? 'stored' : 'failed' });
    } catch (error) {
      this.metrics.imdnStoredNotices.inc({ result: 'failed' });
      this.logger.warn({ err: error, sender, recipient, messageId: imdn.messageId }, 'IMDN stored notice not sent');
    }
  }
}
