import type { TimerClock, TimerHandle } from '@presence/core';
import type { Logger } from '@presence/runtime';
import { newCallId, newTag, type IncomingRequest, type OutgoingRequest, type SipResponse, type SendTarget } from '@presence/sip';
import { PIDF_CONTENT_TYPE } from '../egress/notify-request.js';

/** What a back-end NOTIFY said about a foreign member (RFC 6665 §4.1.3 Subscription-State, RFC 3856 PIDF body). */
export interface ForeignState {
  readonly status: 'active' | 'pending' | 'terminated';
  readonly reason: string | undefined;
  /** The member's PIDF document as received; undefined when the NOTIFY carried none. */
  readonly body: Uint8Array | undefined;
}

export interface ForeignMembersDeps {
  readonly sender: { sendRequest(request: OutgoingRequest, target: SendTarget): Promise<SipResponse> };
  /** Our Contact for the back-end dialogs: where the member's server sends its NOTIFYs. */
  readonly contact: () => string;
  readonly clock: TimerClock;
  readonly logger: Logger;
  /** A member's state changed (its key is the member's subscription id in its list). */
  readonly onState: (key: string, state: ForeignState) => void;
  /** Back-end dialogs this edge holds at most (all lists together). */
  readonly maxDialogs: number;
  /** Expires asked for in each back-end SUBSCRIBE, seconds. */
  readonly expiresS: number;
  /** A new Call-ID (a worker of `standalone --workers` draws one whose NOTIFYs come back to it). Default newCallId. */
  readonly callId?: () => string;
}

interface BackendDialog {
  readonly key: string;
  readonly callId: string;
  readonly localTag: string;
  readonly localUri: string;
  readonly memberUri: string;
  remoteTag: string | undefined;
  cseq: number;
  refresh: TimerHandle | undefined;
}

/** A refresh goes at this share of the granted duration (RFC 6665 §4.1.2.2 leaves the margin to the subscriber). */
const REFRESH_AT = 0.8;

/**
 * Back-end subscriptions of the RLS to members in domains not served here
 * (RFC 4662 §4.4 "the RLS acts as a subscriber"): one SIP SUBSCRIBE dialog
 * per foreign member of a list, Event presence, Accept PIDF, sent to the
 * member's SIP URI (its host and port: no DNS NAPTR/SRV, RFC 3263 basics
 * only), refreshed before expiry, ended (expires 0) when the member leaves
 * or the list ends. Its NOTIFYs come back to this edge (dispatcher NOTIFY);
 * one for no dialog held here is 481. Dialogs are keyed by Call-ID, which
 * this edge chose, so the lookup needs no tags beyond checking ours.
 */
export class ForeignMembers {
  private readonly byCallId = new Map<string, BackendDialog>();
  private readonly byKey = new Map<string, BackendDialog>();

  constructor(private readonly deps: ForeignMembersDeps) {}

  get size(): number {
    return this.byKey.size;
  }

  /** Starts the back-end subscription of one member for `watcher`; false when the edge holds as many as it may. */
  subscribe(key: string, memberUri: string, watcher: string): boolean {
    if (this.byKey.has(key)) return true;
    if (this.byKey.size >= this.deps.maxDialogs) return false;
    const dialog: BackendDialog = { key, callId: (this.deps.callId ?? newCallId)(), localTag: newTag(), localUri: watcher, memberUri, remoteTag: undefined, cseq: 0, refresh: undefined };
    this.byCallId.set(dialog.callId, dialog);
    this.byKey.set(key, dialog);
    this.send(dialog, this.deps.expiresS);
    return true;
  }

  /** Ends one back-end subscription (the member left, or its list ended): expires 0, best effort. */
  unsubscribe(key: string): void {
    const dialog = this.byKey.get(key);
    if (dialog === undefined) return;
    this.forget(dialog);
    this.send(dialog, 0);
  }

  /** A NOTIFY that reached this edge: ours (200, state passed on) or 481 (RFC 6665 §4.1.3: no such subscription). */
  handleNotify(request: IncomingRequest): void {
    const dialog = this.byCallId.get(request.callId);
    if (dialog === undefined || request.to.params['tag'] !== dialog.localTag) {
      request.respond(481, 'Subscription Does Not Exist');
      return;
    }
    const stateHeader = request.header('subscription-state');
    const state = parseState(stateHeader);
    if (state === undefined) {
      request.respond(400, 'Bad Request (missing or malformed Subscription-State)');
      return;
    }
    dialog.remoteTag ??= request.from.params['tag'] ?? undefined;
    request.respond(200, 'OK');
    const body = request.bodyBytes.length > 0 && request.contentType === PIDF_CONTENT_TYPE ? new Uint8Array(request.bodyBytes) : undefined;
    if (state.status === 'terminated') this.forget(dialog);
    this.deps.onState(dialog.key, { ...state, body });
  }

  close(): void {
    for (const dialog of [...this.byKey.values()]) this.forget(dialog);
  }

  private forget(dialog: BackendDialog): void {
    this.deps.clock.clearTimer(dialog.refresh);
    dialog.refresh = undefined;
    this.byCallId.delete(dialog.callId);
    this.byKey.delete(dialog.key);
  }

  private send(dialog: BackendDialog, expires: number): void {
    dialog.cseq += 1;
    const request: OutgoingRequest = {
      method: 'SUBSCRIBE',
      uri: dialog.memberUri,
      headers: {
        from: `<${dialog.localUri}>;tag=${dialog.localTag}`,
        to: dialog.remoteTag === undefined ? `<${dialog.memberUri}>` : `<${dialog.memberUri}>;tag=${dialog.remoteTag}`,
        'call-id': dialog.callId,
        cseq: `${dialog.cseq} SUBSCRIBE`,
        contact: `<${this.deps.contact()}>`,
        event: 'presence',
        accept: PIDF_CONTENT_TYPE,
        expires: String(expires),
      },
    };
    this.deps.sender
      .sendRequest(request, { uri: dialog.memberUri })
      .then((response) => this.answered(dialog, expires, response))
      .catch((error: unknown) => this.deps.logger.warn({ err: error, member: dialog.memberUri }, 'back-end SUBSCRIBE not sent'));
  }

  private answered(dialog: BackendDialog, expires: number, response: SipResponse): void {
    if (expires === 0 || this.byKey.get(dialog.key) !== dialog) return;
    if (response.status >= 300) {
      // Refused or unreachable: shown terminated (noresource: nothing to show of it), no retry before the list's refresh re-reads it.
      this.deps.logger.info({ member: dialog.memberUri, status: response.status }, 'back-end SUBSCRIBE refused');
      this.forget(dialog);
      this.deps.onState(dialog.key, { status: 'terminated', reason: 'noresource', body: undefined });
      return;
    }
    dialog.remoteTag ??= response.to.params['tag'] ?? undefined;
    const granted = Number(response.header('expires') ?? expires);
    const seconds = Number.isFinite(granted) && granted > 0 ? Math.min(granted, expires) : expires;
    this.deps.clock.clearTimer(dialog.refresh);
    dialog.refresh = this.deps.clock.setTimer(() => {
      dialog.refresh = undefined;
      if (this.byKey.get(dialog.key) === dialog) this.send(dialog, this.deps.expiresS);
    }, seconds * 1000 * REFRESH_AT);
  }
}

function parseState(header: string | undefined): Omit<ForeignState, 'body'> | undefined {
  const match = /^\s*(active|pending|terminated)\s*(?:;(.*))?$/i.exec(header ?? '');
  if (match === null) return undefined;
  const reason = /(?:^|;)\s*reason\s*=\s*([\w-]+)/i.exec(match[2] ?? '')?.[1];
  return { status: match[1]!.toLowerCase() as ForeignState['status'], reason: reason?.toLowerCase() };
}
