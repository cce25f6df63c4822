import { createHash } from 'node:crypto';
import type { WatcherDialog } from '../subscriptions/index.js';

/** An instance's subscription state as RLMI shows it (RFC 4662 §5.2). */
export type InstanceState = 'active' | 'pending' | 'terminated';

/**
 * One member of a list subscription: the back-end subscription this edge
 * holds for it at the member's agent (same watcher, so the member's own
 * pres-rules decide), and what that decided. Kept small: one per member
 * per list held here.
 */
export interface MemberState {
  readonly uri: string;
  /** The AOR watched through this edge's presentity interest; undefined for a member in a domain not served here (shown noresource). */
  readonly aor: string | undefined;
  readonly name: string | undefined;
  /** The member's subscription id at its agent, derived from the list dialog and the member: an adopting edge refreshes the same records. */
  readonly subscriptionId: string;
  status: InstanceState | undefined;
  reason: string | undefined;
  viewKey: string;
  /** This list holds interest in the member's changes. */
  watching: boolean;
}

/** A list subscription held here: its members in list order and what changed since its last NOTIFY. */
export interface ListSubscription {
  readonly id: string;
  readonly uri: string;
  readonly watcher: string;
  /** The owner of the list's documents; undefined for an RFC 5367 list from the SUBSCRIBE body (not rebuilt from XCAP). */
  readonly owner: string | undefined;
  members: Map<string, MemberState>;
  readonly changed: Set<MemberState>;
  /** Members dropped from the list since the last NOTIFY: shown terminated once. */
  removed: MemberState[];
  /** RFC 4662 §5.2: versions count from 0 per subscription; -1 before the first NOTIFY. */
  version: number;
  /** Rebuilt by an edge adopting the dialog from its mirror: its versions go on above any the previous edge sent. */
  readonly adopted: boolean;
  /** Set by the first NOTIFY built: the dialog member changes are reported to. */
  dialog: WatcherDialog | undefined;
}

/** Member subscription id: the list dialog's id and a digest of the member (fixed length, bus and key safe). */
export function memberSubscriptionId(listId: string, memberKey: string): string {
  return `${listId}.${createHash('sha256').update(memberKey).digest().toString('base64url', 0, 9)}`;
}

/** The RLMI instance id of a member (RFC 4662 §5.2: unique within its resource): the digest part of its subscription id. */
export function instanceIdOf(member: Pick<MemberState, 'subscriptionId'>): string {
  return member.subscriptionId.slice(member.subscriptionId.lastIndexOf('.') + 1);
}
