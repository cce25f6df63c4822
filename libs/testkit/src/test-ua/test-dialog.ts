import { tryParseSipUri } from '@presence/core';
import { parseNameAddr, type HeaderFields, type IncomingRequest, type SipResponse } from '@presence/sip';
import { Inbox } from './inbox.js';
import { mergeHeaders } from './merge-headers.js';

/** What a dialog needs from its user agent. */
export interface DialogHost {
  readonly aor: string;
  readonly contact: string;
  readonly transport: string;
  send(method: string, uri: string, headers: HeaderFields, target: string, body?: string): Promise<SipResponse>;
  /** CSeq numbers of a Call-ID come from the UA: a retry after a 401 takes one too. */
  nextCSeq(callId: string): number;
}

export interface SubscriptionParams {
  readonly callId: string;
  readonly localTag: string;
  readonly presentity: string;
  readonly event: string;
  readonly accept: string | undefined;
}

/** The subscriber side of a SUBSCRIBE dialog (RFC 6665 §4.1, RFC 3261 §12.1.2). */
export class TestDialog {
  readonly callId: string;
  readonly localTag: string;
  readonly event: string;
  /** From the 2xx To tag, or the first NOTIFY's From tag. */
  remoteTag: string | undefined;
  /** Contact of the 2xx; in-dialog requests go there. */
  remoteTarget: string;
  /** Record-Route of the 2xx, reversed (§12.1.2). */
  readonly routeSet: string[];
  private readonly inbox = new Inbox<IncomingRequest>('NOTIFY');

  constructor(
    private readonly host: DialogHost,
    private readonly params: SubscriptionParams,
    response: SipResponse,
  ) {
    this.callId = params.callId;
    this.localTag = params.localTag;
    this.event = params.event;
    const ok = response.status >= 200 && response.status < 300;
    this.remoteTag = ok ? (response.to.params.tag ?? undefined) : undefined;
    const contact = ok ? response.headerValues('contact')[0] : undefined;
    this.remoteTarget = contact === undefined ? params.presentity : parseNameAddr(contact).uri;
    this.routeSet = ok ? response.headerValues('record-route').reverse() : [];
  }

  /** NOTIFYs of this dialog, in arrival order. */
  get notifies(): readonly IncomingRequest[] {
    return this.inbox.items;
  }

  nextNotify({ timeoutMs = 3000 }: { timeoutMs?: number } = {}): Promise<IncomingRequest> {
    return this.inbox.next(timeoutMs);
  }

  /** Called by the UA for every NOTIFY with this Call-ID. */
  deliver(notify: IncomingRequest): void {
    this.remoteTag ??= notify.from.params.tag ?? undefined;
    this.inbox.push(notify);
  }

  /** In-dialog SUBSCRIBE with the remote tag and the next CSeq (RFC 6665 §4.1.2.1); `body` e.g. a new filter (RFC 4660 §3.3.3). */
  refresh(expires: number, headers?: HeaderFields, body?: string): Promise<SipResponse> {
    if (this.remoteTag === undefined) throw new Error('dialog not established: no remote tag');
    const defaults: Record<string, string | readonly string[]> = {
      From: `<${this.host.aor}>;tag=${this.localTag}`,
      To: `<${this.params.presentity}>;tag=${this.remoteTag}`,
      'Call-ID': this.callId,
      CSeq: `${this.host.nextCSeq(this.callId)} SUBSCRIBE`,
      Contact: `<${this.host.contact}>`,
      Event: this.event,
      Expires: String(expires),
    };
    if (this.params.accept !== undefined) defaults.Accept = this.params.accept;
    if (this.routeSet.length > 0) defaults.Route = this.routeSet;
    return this.host.send('SUBSCRIBE', this.remoteTarget, mergeHeaders(defaults, headers), this.nextHop(), body);
  }

  /** Expires: 0 (RFC 6665 §4.1.2.3). */
  unsubscribe(): Promise<SipResponse> {
    return this.refresh(0);
  }

  close(): void {
    this.inbox.close();
  }

  /** First Route if any, else the remote target; our transport is assumed when the URI names none. */
  private nextHop(): string {
    const first = this.routeSet[0];
    const uri = first === undefined ? this.remoteTarget : parseNameAddr(first).uri;
    return tryParseSipUri(uri)?.params.get('transport') === undefined ? `${uri};transport=${this.host.transport}` : uri;
  }
}
