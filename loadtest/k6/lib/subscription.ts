/**
 * A presence subscription (RFC 3856, RFC 6665) as a watcher VU holds it:
 * SUBSCRIBE, the NOTIFYs of its dialog, unSUBSCRIBE (Expires: 0).
 */
import { type SipMessage, cseqOf, header, randomToken, tagOf } from './sip-message.ts';
import type { Counter } from 'k6/metrics';
import type { RequestHandler, RequestOutcome, SipSocket } from './sip-socket.ts';
import { type Signal, signal } from './signals.ts';

export type NotifyKind = 'initial' | 'change' | 'terminated' | 'repeat';

export class Subscription {
  readonly callId = randomToken(20);
  private readonly fromTag = randomToken(8);
  private toTag: string | undefined;
  private remoteTarget: string;
  private cseq = 1;
  private lastNotifyCseq = -1;
  /** The first NOTIFY (RFC 6665 §4.2.1.2: the state at subscribe time). */
  readonly initial: Signal = signal();
  /** A NOTIFY with Subscription-State: terminated. */
  readonly terminated: Signal = signal();
  notifies = 0;

  constructor(
    private readonly socket: SipSocket,
    readonly watcher: string,
    readonly presentityUri: string,
    private readonly domain: string,
    private readonly expires: number,
  ) {
    this.remoteTarget = presentityUri;
  }

  subscribe(): Promise<RequestOutcome> {
    return this.send(this.expires);
  }

  /** In-dialog SUBSCRIBE with Expires: 0; the server ends the dialog with a terminating NOTIFY. */
  unsubscribe(): Promise<RequestOutcome> {
    return this.send(0);
  }

  /** Classifies a NOTIFY of this dialog; the caller answers it 200. */
  onNotify(notify: SipMessage): NotifyKind {
    const cseq = cseqOf(notify);
    if (cseq <= this.lastNotifyCseq) return 'repeat';
    this.lastNotifyCseq = cseq;
    this.notifies++;
    if (this.toTag === undefined) this.toTag = tagOf(header(notify, 'from'));
    const state = (header(notify, 'subscription-state') ?? '').trim().toLowerCase();
    const first = !this.initial.fired;
    this.initial.fire();
    if (state.startsWith('terminated')) {
      this.terminated.fire();
      return first ? 'initial' : 'terminated';
    }
    return first ? 'initial' : 'change';
  }

  private async send(expires: number): Promise<RequestOutcome> {
    const to = this.toTag === undefined ? `<${this.presentityUri}>` : `<${this.presentityUri}>;tag=${this.toTag}`;
    const outcome = await this.socket.request({
      method: 'SUBSCRIBE', uri: this.remoteTarget,
      from: `<sip:${this.watcher}@${this.domain}>;tag=${this.fromTag}`, to, callId: this.callId, cseq: this.cseq,
      contactUser: this.watcher,
      headers: ['Event: presence', 'Accept: application/pidf+xml', `Expires: ${expires}`],
    });
    this.cseq = outcome.cseq + 1;
    const response = outcome.response;
    if (response !== undefined && response.status >= 200 && response.status < 300) {
      if (this.toTag === undefined) this.toTag = tagOf(header(response, 'to'));
      const contact = /<([^>]+)>/.exec(header(response, 'contact') ?? '');
      if (contact?.[1] !== undefined) this.remoteTarget = contact[1];
    }
    return outcome;
  }
}

/** True for a 2xx final response. */
export function succeeded(outcome: RequestOutcome): boolean {
  const status = outcome.response?.status ?? 0;
  return status >= 200 && status < 300;
}

/**
 * A watcher's answer to the server's requests: a NOTIFY of one of `dialogs`
 * (by Call-ID) goes to `onNotify` and is answered 200; one for no dialog of
 * ours is counted in `unknown` and answered 481; other methods 501.
 */
export function notifyHandler<T>(dialogs: ReadonlyMap<string, T>, onNotify: (dialog: T, notify: SipMessage) => void, unknown: Counter): RequestHandler {
  return (request) => {
    if (request.method !== 'NOTIFY') return 501;
    const dialog = dialogs.get(header(request, 'call-id') ?? '');
    if (dialog === undefined) {
      unknown.add(1);
      return 481;
    }
    onNotify(dialog, request);
    return 200;
  };
}
