import { buildRequest } from '../sip/build-message.js';
import { readTimestamp } from '../sip/pidf-timestamp.js';
import { tagOf, type SipMessage } from '../sip/sip-message.js';
import type { Channel } from '../transport/channel.js';
import type { RequestKind } from './soak-stats.js';
import { chance, jitter, pause, type SoakContext } from './soak-workload.js';

interface Dialog {
  readonly callId: string;
  toTag: string | undefined;
  cseq: number;
  notifyCseq: number;
  initialSeen: boolean;
  /** Newest published timestamp this dialog was told about. */
  lastTs: number;
  /** The server ended it (Subscription-State: terminated). */
  ended: boolean;
  unsubscribing: boolean;
}

/** Where a watcher lives: the presentity it watches and its own AOR, for one generation of a presentity slot. */
export interface WatcherIdentity {
  readonly key: number;
  readonly user: string;
  readonly presentityAor: string;
}

/**
 * One watcher for the life of a presentity: registers and keeps its
 * registration refreshed, subscribes with a short Expires and refreshes
 * at about half of it; now and then ends the dialog and starts a new one.
 * At the end it unregisters and unsubscribes, or (half the time each)
 * leaves the registration and the subscription for the server to expire.
 */
export class SoakWatcher {
  private readonly channel: Channel;
  private readonly aor: string;
  private registerCseq = 0;
  private dialogs = 0;

  constructor(
    private readonly ctx: SoakContext,
    private readonly id: WatcherIdentity,
  ) {
    this.channel = ctx.client.channelFor(id.key);
    this.aor = `sip:${id.user}@${ctx.domain}`;
  }

  async run(untilMs: number): Promise<void> {
    const { workload, signal } = this.ctx;
    let registeredUntil = 0;
    let dialog: Dialog | undefined;
    while (!signal.aborted && Date.now() < untilMs) {
      if (Date.now() >= registeredUntil - (workload.registerExpiresS * 1000) / 2) {
        if (await this.register(workload.registerExpiresS, 'register')) registeredUntil = Date.now() + workload.registerExpiresS * 1000;
      }
      if (dialog?.ended) dialog = this.drop(dialog);
      if (dialog === undefined) dialog = await this.subscribe();
      else if (chance(workload.dialogChurn)) {
        await this.unsubscribe(dialog);
        dialog = undefined;
        await pause(jitter(2000, 0.5, 1.5), signal);
        continue;
      } else if (!(await this.refresh(dialog))) dialog = this.drop(dialog);
      await pause(Math.min(jitter((workload.subscribeExpiresS * 1000) / 2, 0.8, 1), untilMs - Date.now()), signal);
    }
    if (signal.aborted) return;
    if (dialog !== undefined) {
      if (chance(0.5)) await this.unsubscribe(dialog);
      else this.drop(dialog);
    }
    if (chance(0.5)) await this.register(0, 'unregister');
  }

  private async register(expires: number, kind: RequestKind): Promise<boolean> {
    const uri = `sip:${this.ctx.domain}`;
    const outcome = await this.send(kind, { aor: this.aor, method: 'REGISTER', uri }, (branch) =>
      buildRequest({
        method: 'REGISTER',
        uri,
        via: this.channel.via,
        branch,
        from: `<${this.aor}>;tag=r${this.id.key}`,
        to: `<${this.aor}>`,
        callId: `${this.ctx.runId}r${this.id.user}`,
        cseq: ++this.registerCseq,
        contact: this.channel.contact(this.id.user),
        headers: [`Expires: ${expires}`],
      }),
    );
    return outcome.ok;
  }

  private async subscribe(): Promise<Dialog | undefined> {
    const dialog: Dialog = { callId: `${this.ctx.runId}d${this.id.user}x${++this.dialogs}`, toTag: undefined, cseq: 0, notifyCseq: -1, initialSeen: false, lastTs: 0, ended: false, unsubscribing: false };
    // The initial NOTIFY can overtake the 200 (UDP): the handler is there before the request goes.
    this.ctx.client.onNotify(dialog.callId, (message, now) => this.onNotify(dialog, message, now));
    const { ok, response } = await this.sendInDialog('subscribe', dialog, this.ctx.workload.subscribeExpiresS);
    if (!ok || response === undefined) return this.drop(dialog);
    dialog.toTag = tagOf(response.to);
    return dialog;
  }

  private async refresh(dialog: Dialog): Promise<boolean> {
    return (await this.sendInDialog('refresh', dialog, this.ctx.workload.subscribeExpiresS)).ok;
  }

  /** RFC 6665 §4.1.2.3: Expires: 0 ends the dialog; its final NOTIFY is still answered (the handler stays until the answer). */
  private async unsubscribe(dialog: Dialog): Promise<void> {
    dialog.unsubscribing = true;
    await this.sendInDialog('unsubscribe', dialog, 0);
    this.drop(dialog);
  }

  private drop(dialog: Dialog): undefined {
    this.ctx.client.forget(dialog.callId);
    return undefined;
  }

  private sendInDialog(kind: RequestKind, dialog: Dialog, expires: number): Promise<{ ok: boolean; response?: SipMessage }> {
    const to = dialog.toTag === undefined ? `<${this.id.presentityAor}>` : `<${this.id.presentityAor}>;tag=${dialog.toTag}`;
    return this.send(kind, { aor: this.aor, method: 'SUBSCRIBE', uri: this.id.presentityAor }, (branch) =>
      buildRequest({
        method: 'SUBSCRIBE',
        uri: this.id.presentityAor,
        via: this.channel.via,
        branch,
        from: `<${this.aor}>;tag=w${this.id.key}`,
        to,
        callId: dialog.callId,
        cseq: ++dialog.cseq,
        contact: this.channel.contact(this.id.user),
        headers: ['Event: presence', 'Accept: application/pidf+xml', `Expires: ${expires}`],
      }),
    );
  }

  private async send(kind: RequestKind, as: { aor: string; method: string; uri: string }, build: (branch: string) => string): Promise<{ ok: boolean; response?: SipMessage }> {
    this.ctx.stats.sent(kind);
    const { outcome, response } = await this.ctx.client.request(this.channel, as, build);
    this.ctx.stats.ended(kind, outcome);
    return { ok: typeof outcome === 'number' && outcome < 300, ...(response === undefined ? {} : { response }) };
  }

  private onNotify(dialog: Dialog, message: SipMessage, now: number): void {
    if (message.cseq <= dialog.notifyCseq) return;
    dialog.notifyCseq = message.cseq;
    const ts = readTimestamp(message.body);
    // RFC 6665 §4.2.1.2: the first NOTIFY is the state at subscribe time, not a change to time.
    const isChange = dialog.initialSeen && ts !== undefined && ts > dialog.lastTs;
    dialog.initialSeen = true;
    if (ts !== undefined && ts > dialog.lastTs) dialog.lastTs = ts;
    this.ctx.stats.notify(isChange ? ts : undefined, now);
    if (message.headers.get('subscription-state')?.toLowerCase().startsWith('terminated') && !dialog.ended) {
      dialog.ended = true;
      if (!dialog.unsubscribing) this.ctx.stats.terminatedByServer();
    }
  }
}
