import type { RequestedRates } from '@presence/core';
import type { FilterSet } from '@presence/policy';
import type { DialogFields } from './watcher-dialog.js';

/*
 * What ingress hands subscriptions for a SUBSCRIBE: the values it read and
 * checked from the SIP message, and how to answer it. Subscriptions decide
 * the rest (dialog, agent, mirror, NOTIFYs).
 */

/**
 * A SUBSCRIBE outside a dialog (RFC 6665 §4.2.1): creates a dialog, or is a
 * fetch when expires is 0. It carries the dialog's fields as read from the
 * request, less what subscriptions decide (id, our CSeq, expiry).
 */
export interface InitialSubscribe extends Omit<DialogFields, 'id' | 'localCseq' | 'expiresAt'> {
  /** Event package name, as the agent records it. */
  readonly eventPackage: string;
  /** Expires header (undefined when absent): the duration is granted by policy, once the request is otherwise valid. */
  readonly requestedExpires: number | undefined;
  /** The SUBSCRIBE body, for a package that reads one (RFC 5875 §4: xcap-diff names its resources there). */
  readonly body?: string;
  readonly controls?: NotifyControls;
  /** A presence SUBSCRIBE's notification filter (RFC 4661 body), if it carried one. */
  readonly filter?: FilterChange;
}

/**
 * What the watcher's SUBSCRIBE asks of the NOTIFYs it causes and the ones
 * after it; each absent when not asked, and then nothing is kept for it.
 */
export interface NotifyControls {
  /** RFC 6446 Event parameters, as requested. */
  readonly rates?: RequestedRates;
  /** RFC 5839 Suppress-If-Match: the entity-tag the watcher holds, or "*". */
  readonly suppressIfMatch?: string;
}

/** A SUBSCRIBE inside a dialog: refresh, or unsubscribe when expires is 0 (RFC 6665 §4.2.1.2, §4.2.1.4). */
export interface InDialogSubscribe {
  readonly callId: string;
  readonly remoteTag: string;
  /** To tag: ours. */
  readonly localTag: string;
  readonly flow: string;
  /** Source IP address: an adopted dialog is counted under it. */
  readonly source: string;
  readonly localContact: string;
  readonly remoteCseq: number;
  readonly requestedExpires: number | undefined;
  /** The AOR the request authenticated as (it must be the dialog's watcher); undefined when authentication is off. */
  readonly requester: string | undefined;
  /** A refresh states the rates anew: none given removes them (RFC 6446 §5.1). */
  readonly controls?: NotifyControls;
  /** A filter document in the refresh changes the dialog's filters; none keeps them (RFC 4660 §3.3.3). */
  readonly filter?: FilterChange;
}

/**
 * How a SUBSCRIBE's filter document changes the filters a dialog holds
 * (RFC 4660 §3.3.3: by filter id); undefined when none is left. Throws the
 * SIP error (488) for a set this server cannot hold, before anything changes.
 */
export type FilterChange = (held: FilterSet | undefined) => FilterSet | undefined;

/** The 200 to the SUBSCRIBE; subscriptions call it before the NOTIFY it triggers (RFC 6665 §4.2.1). */
export interface SubscribeAnswer {
  accept(dialog: { readonly localTag: string; readonly localContact: string }, expires: number): void;
  /** RFC 5839 §6.3: 204 (No Notification) to an in-dialog SUBSCRIBE whose condition holds; no NOTIFY follows it. */
  noNotification(dialog: { readonly localTag: string; readonly localContact: string }, expires: number): void;
}
