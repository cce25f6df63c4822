import { randomBytes } from 'node:crypto';
import { CPIM, imdnRequest, noticeBody, wantsNotice, type Clock, type IntermediaryNotice, type LocationStore, type OfflineMessageStore } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import type { BackgroundWork, Logger } from '@presence/runtime';
import type { MessagingConfig } from '../edge-config.js';
import type { ContactDelivery } from './contact-delivery.js';
import { forkToContacts } from './fork.js';
import { storedMessage, type MessageCopy } from './message-copy.js';

/** Hops a MESSAGE the server originates may take (RFC 3261 §8.1.1.6). */
const MAX_FORWARDS = '70';

/** The message a notice is about: its sender's AOR and its body (only message/cpim can ask for IMDN). */
export interface NoticeSubject {
  readonly sender: string;
  readonly contentType: string | undefined;
  /** Decoded as text only when it is message/cpim. */
  readonly body: Uint8Array;
}

/**
 * Tells the sender of a message/cpim MESSAGE that asked for IMDN (RFC 5438)
 * what the server did with it: "stored" (a processing notification) or,
 * for a recipient of a multi-recipient MESSAGE that could not get it,
 * "failed" (a negative delivery notification). The notice is a MESSAGE
 * from the recipient's AOR to the sender's, sent to the sender's contacts,
 * or kept in the sender's own offline queue when none takes it. After the
 * sender's answer: a notice that fails is logged and counted, never that
 * answer.
 */
export class ImdnNotifier {
  constructor(
    private readonly store: LocationStore & OfflineMessageStore,
    private readonly delivery: ContactDelivery,
    private readonly config: MessagingConfig,
    private readonly clock: Clock,
    private readonly metrics: PresenceMetrics,
    private readonly logger: Logger,
    /** Where notices sent after the answer are held, so a SIGTERM drain waits for them. */
    private readonly background: BackgroundWork,
    /** Told when a notice was stored for a sender that has bindings by then (it registered while the notice was on its way). */
    private readonly onStoredForReachable: (sender: string) => void = () => undefined,
  ) {}

  /** `notify` after the sender's answer, held in the background work; with no room left the notice is counted failed. */
  notifyLater(subject: NoticeSubject, recipient: string, notice: IntermediaryNotice): void {
    if (subject.contentType?.toLowerCase() !== CPIM) return;
    if (this.background.run(() => this.notify(subject, recipient, notice))) return;
    this.metrics.imdnNotices.inc({ notice, result: 'failed' });
    this.logger.warn({ recipient, notice }, 'IMDN notice not sent: too much background work in flight');
  }

  /** Sends the notice if `subject` asked for one; never rejects. */
  async notify(subject: NoticeSubject, recipient: string, notice: IntermediaryNotice): Promise<void> {
    if (subject.contentType?.toLowerCase() !== CPIM) return;
    const imdn = imdnRequest(Buffer.from(subject.body).toString('utf8'));
    if (imdn === undefined || !wantsNotice(imdn, notice)) return;
    const sender = subject.sender;
    try {
      const now = this.clock.now();
      const body = noticeBody(imdn, { sender, recipient, noticeId: randomBytes(9).toString('base64url'), now }, notice);
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
        body: Buffer.from(body, 'utf8'),
      };
      const bindings = await this.store.bindings(sender, now);
      if (bindings.length > 0 && (await forkToContacts(this.delivery, bindings, copy)).delivered) return this.metrics.imdnNotices.inc({ notice, result: 'sent' });
      const limits = { maxMessages: this.config.offlineMessagesPerUser, ttlMs: this.config.offlineMessageTtlMs };
      const outcome = await this.store.storeOfflineMessage(sender, storedMessage(copy, 1), limits);
      this.metrics.imdnNotices.inc({ notice, result: outcome.stored ? 'stored' : 'failed' });
      // A notice goes out after the sender's answer, so the sender may register between our look at its bindings and
      // the store: its REGISTER then found no notice to deliver. Looking again after storing closes that gap (one of the
      // two always sees the other), rather than leaving the notice to the next offline sweep.
      if (outcome.stored && (await this.store.bindings(sender, this.clock.now())).length > 0) this.onStoredForReachable(sender);
    } catch (error) {
      this.metrics.imdnNotices.inc({ notice, result: 'failed' });
      this.logger.warn({ err: error, sender, recipient, messageId: imdn.messageId }, 'IMDN notice not sent');
    }
  }
}
