import { WHOLE_DOCUMENT_VIEW, POLITE_BLOCK_VIEW, type AuthorizationChange, type SubscribeCommand, type SubscribedReply, type UnsubscribeReason } from '@presence/contracts';
import { ForbiddenError, normalizeAor, ServiceUnavailableError, type Clock } from '@presence/core';
import { memberKey, type ListMember } from '@presence/policy';
import type { Logger } from '@presence/runtime';
import { AgentRejection } from '../ingress/agent-client.js';
import type { PresentityInterest } from '../egress/presentity-interest.js';
import type { InterestHold, PackageState, SubscriptionDecision, WatcherAgent, WatcherDialog } from '../subscriptions/index.js';
import type { ListDirectory, ListSource } from './list-directory.js';
import { memberSubscriptionId, type ListSubscription, type MemberState } from './list-state.js';

/** The view key a list dialog carries (and its mirror): it marks the dialog as a list's, whose members each have their own view. */
export const RESOURCE_LIST_VIEW = 'eventlist';

/** The registry's name for the list package; its dialogs' Event is `presence` (RFC 4662 §4: the list is of presence resources). */
export const RESOURCE_LIST_PACKAGE = 'presence;eventlist';

/** Member subscriptions asked of the agents at once: a 1,000-member list does not put 1,000 requests on the bus together. */
const MEMBER_CONCURRENCY = 32;
/** Members all the lists of one edge may hold together (the per-watcher cap counts a list as one dialog): past it a new list is 503. */
export const MAX_HELD_LIST_MEMBERS = 1_000_000;
/** Retry-After of that 503: lists end and lapse all the time. */
const HELD_MEMBERS_RETRY_AFTER_S = 30;
/** A list whose dialog has sent no NOTIFY this long after it was built was never held (the registry failed after asking, e.g. its mirror write). */
const ORPHAN_MS = 30_000;

export interface MemberAgent {
  subscribe(fields: Omit<SubscribeCommand, 'v' | 'type'>): Promise<SubscribedReply>;
  unsubscribe(presentity: string, subscriptionId: string, reason: UnsubscribeReason): Promise<void>;
}

export interface ListSubscriptionsDeps {
  readonly directory: ListDirectory;
  readonly agent: MemberAgent;
  readonly interest: Pick<PresentityInterest, 'acquire' | 'release' | 'apply'>;
  /** Whether a member's domain is served here: others are shown terminated, reason noresource (no back-end SUBSCRIBE). */
  readonly serves: (aor: string) => boolean;
  readonly edgeId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Default MAX_HELD_LIST_MEMBERS. */
  readonly maxHeldMembers?: number;
}

/** Who sends a list's NOTIFYs when a member changes (the list package's notifier). */
export interface ListNotifier {
  stateChanged(dialog: WatcherDialog): void;
}

/**
 * The resource list server at the edge (RFC 4662): one list subscription
 * dialog per subscriber, and per member a back-end subscription at the
 * member's agent with the subscriber as watcher, so the member's own
 * pres-rules, views and watcher information apply exactly as for a single
 * SUBSCRIBE. Member changes arrive through the same presentity interest
 * single dialogs use; each marks the member changed in every list holding
 * it and asks the list's notifier for a (paced, coalesced) NOTIFY.
 * It is the list package's agent (WatcherAgent) for the registry.
 */
export class ListSubscriptions implements WatcherAgent<PackageState> {
  /** Set once while wiring (edge.ts). */
  notifier: ListNotifier | undefined;
  private readonly lists = new Map<string, ListSubscription>();
  /** Lists holding each watched member AOR: the fan-out of a member's change. */
  private readonly listsOf = new Map<string, Set<ListSubscription>>();
  /** Member subscription id -> its list and member: where a member's authorization change goes. */
  private readonly memberIds = new Map<string, { list: ListSubscription; member: MemberState }>();
  /** List id -> when it must have a dialog, in build order: the orphan check looks only at the oldest. */
  private readonly unconfirmed = new Map<string, number>();

  constructor(private readonly deps: ListSubscriptionsDeps) {}

  /** The registry holds list dialogs like any other; their state lives here, so it needs no interest of its own. */
  readonly interest: InterestHold<PackageState> = { acquire() {}, release() {}, apply: () => false };

  get(id: string): ListSubscription | undefined {
    return this.lists.get(id);
  }

  /** Members held across every list here (for the gauges and the memory figure). */
  get memberCount(): number {
    return this.memberIds.size;
  }

  /**
   * A list SUBSCRIBE or refresh (the registry's agent call): builds the list
   * on the first (from the body for RFC 5367, else the service), re-reads a
   * service's membership on a refresh, and subscribes or refreshes every
   * member at its agent. Expires 0 unsubscribes every member and ends the list.
   */
  async subscribe(fields: Omit<SubscribeCommand, 'v' | 'type'>, body?: string): Promise<SubscriptionDecision<PackageState>> {
    let list = this.lists.get(fields.subscriptionId);
    if (list === undefined) {
      // Without a body: the service's list (an adopted dialog's too; an adopted ad-hoc list is gone, 481).
      const source = body !== undefined ? this.deps.directory.adHoc(fields.watcher, body) : await this.deps.directory.serviceOrGone(fields.presentity);
      // A user's list is that user's (its members' URIs are the owner's business); a service of the global tree is anyone's.
      if (source.owner !== '' && source.owner !== fields.watcher) throw new ForbiddenError('Forbidden: only the owner of a resource list may subscribe to it');
      const members = await this.deps.directory.members(source);
      if (this.memberIds.size + members.length > (this.deps.maxHeldMembers ?? MAX_HELD_LIST_MEMBERS)) {
        throw new ServiceUnavailableError('Service Unavailable: this edge holds as many list members as it may', HELD_MEMBERS_RETRY_AFTER_S);
      }
      list = this.create(fields, source, members);
    } else if (list.owner !== undefined && fields.expires > 0) {
      // A refresh re-reads the service: an XCAP change whose announcement was lost is picked up here at the latest.
      const source = await this.deps.directory.service(list.uri);
      if (source !== undefined) this.reconcile(list, await this.deps.directory.members(source));
    }
    await this.subscribeMembers(list, fields.expires);
    // The members were unsubscribed by the expires-0 requests themselves.
    if (fields.expires === 0) this.end(list, 'none');
    return { status: 'active', viewKey: RESOURCE_LIST_VIEW, state: { presentity: list.uri } };
  }

  /** The list dialog ended without an unsubscribe (expired, NOTIFY failed): its members' subscriptions end too. */
  async unsubscribe(_presentity: string, subscriptionId: string, reason: UnsubscribeReason): Promise<void> {
    const list = this.lists.get(subscriptionId);
    if (list !== undefined) this.end(list, reason);
  }

  /** An adopted list dialog: its state is rebuilt by the refresh that adopts it (subscribe, not initial). */
  async fetchStates(presentities: readonly string[]): Promise<readonly PackageState[]> {
    return presentities.map((presentity) => ({ presentity }));
  }

  /** The dialog sends nothing more (its final NOTIFY went, or it failed): whatever is still held for it goes. */
  ended(dialog: WatcherDialog): void {
    const list = this.lists.get(dialog.id);
    if (list !== undefined) this.end(list, 'expired');
  }

  /** A watched presentity changed: each list holding it as an active member NOTIFYs it (politely blocked ones see nothing, RFC 5025 §3.2.1). */
  onMemberChanged(aor: string): void {
    const holding = this.listsOf.get(aor);
    if (holding === undefined) return;
    for (const list of holding) {
      const member = list.members.get(aor);
      if (member === undefined || member.status !== 'active' || member.viewKey === POLITE_BLOCK_VIEW) continue;
      this.changed(list, member);
    }
  }

  /** A member's rules changed for this watcher (the agent's AuthorizationChange for a member subscription); false when the id is not a member's here. */
  onAuthorization(change: AuthorizationChange): boolean {
    const held = this.memberIds.get(change.subscriptionId);
    if (held === undefined) return false;
    const { list, member } = held;
    if (member.watching) this.deps.interest.apply(change.state);
    if (this.decide(member, change.status, change.reason, change.viewKey)) this.changed(list, member);
    // Blocked now: the agent dropped the record, and this list stops following the member.
    if (member.status === 'terminated' && member.watching) this.unwatch(list, member);
    return true;
  }

  /** The membership of every service list of `owner` may have changed (an XCAP write): re-read and NOTIFY what moved. */
  async ownerChanged(owner: string): Promise<void> {
    const affected = [...this.lists.values()].filter((list) => list.owner === owner);
    for (const list of affected) {
      try {
        const source = await this.deps.directory.service(list.uri);
        const members = source === undefined ? [] : await this.deps.directory.members(source);
        if (!this.lists.has(list.id)) continue;
        const added = this.reconcile(list, members);
        const now = this.deps.clock.now();
        await this.subscribeMembers(list, Math.max(1, Math.ceil(((list.dialog?.expiresAt ?? now) - now) / 1000)), added);
        if (list.dialog !== undefined && (added.length > 0 || list.removed.length > 0)) this.notifier?.stateChanged(list.dialog);
      } catch (error) {
        this.deps.logger.warn({ err: error, list: list.uri }, 'resource list not re-read after an XCAP change');
      }
    }
  }

  /** Whose service lists are held here (the owners an XCAP change may concern). */
  hasOwner(owner: string): boolean {
    for (const list of this.lists.values()) if (list.owner === owner) return true;
    return false;
  }

  close(): void {
    for (const list of [...this.lists.values()]) this.forgetList(list);
  }

  private create(fields: Omit<SubscribeCommand, 'v' | 'type'>, source: ListSource, members: readonly ListMember[]): ListSubscription {
    const now = this.deps.clock.now();
    this.endOrphans(now);
    const list: ListSubscription = {
      id: fields.subscriptionId,
      uri: fields.presentity,
      watcher: fields.watcher,
      owner: source.adHoc === true ? undefined : source.owner,
      members: new Map(),
      changed: new Set(),
      removed: [],
      version: -1,
      adopted: fields.initial !== true,
      dialog: undefined,
    };
    this.lists.set(list.id, list);
    if (fields.expires > 0) this.unconfirmed.set(list.id, now + ORPHAN_MS);
    this.reconcile(list, members);
    return list;
  }

  /** Ends the lists built longer than ORPHAN_MS ago that never got a dialog (checked as lists are built: no timer of its own). */
  private endOrphans(now: number): void {
    for (const [id, deadline] of this.unconfirmed) {
      if (deadline > now) return;
      this.unconfirmed.delete(id);
      const list = this.lists.get(id);
      if (list !== undefined && list.dialog === undefined) this.end(list, 'expired');
    }
  }

  /** Brings the list's members to `members`: new ones added (not yet subscribed), dropped ones unsubscribed and kept to show terminated once. Returns the added. */
  private reconcile(list: ListSubscription, members: readonly ListMember[]): MemberState[] {
    const next = new Map<string, MemberState>();
    const added: MemberState[] = [];
    for (const listed of members) {
      const key = memberKey(listed.uri);
      const kept = list.members.get(key);
      if (kept !== undefined) {
        next.set(key, kept);
        continue;
      }
      const member: MemberState = {
        uri: listed.uri,
        aor: this.watchable(listed.uri),
        name: listed.name,
        subscriptionId: memberSubscriptionId(list.id, key),
        status: undefined,
        reason: undefined,
        viewKey: WHOLE_DOCUMENT_VIEW,
        watching: false,
      };
      if (member.aor === undefined) member.status = 'terminated';
      next.set(key, member);
      added.push(member);
      this.memberIds.set(member.subscriptionId, { list, member });
      if (list.version >= 0) list.changed.add(member);
    }
    for (const [key, member] of list.members) {
      if (next.has(key)) continue;
      this.dropMember(list, member, 'unsubscribed');
      list.changed.delete(member);
      if (list.version >= 0) list.removed.push(member);
    }
    list.members = next;
    return added;
  }

  /** A member this edge can watch: a SIP AOR in a served domain. */
  private watchable(uri: string): string | undefined {
    try {
      const aor = normalizeAor(uri);
      return this.deps.serves(aor) ? aor : undefined;
    } catch {
      return undefined;
    }
  }

  private async subscribeMembers(list: ListSubscription, expires: number, only?: readonly MemberState[]): Promise<void> {
    const members = (only ?? [...list.members.values()]).filter((m) => m.aor !== undefined);
    for (let i = 0; i < members.length; i += MEMBER_CONCURRENCY) {
      await Promise.all(members.slice(i, i + MEMBER_CONCURRENCY).map((member) => this.subscribeMember(list, member, expires)));
    }
  }

  /** Asks the member's agent for this watcher's decision (holding interest first, so no change slips between), then records it. */
  private async subscribeMember(list: ListSubscription, member: MemberState, expires: number): Promise<void> {
    const aor = member.aor!;
    if (expires > 0 && !member.watching && this.lists.has(list.id)) {
      this.deps.interest.acquire(aor);
      member.watching = true;
      this.hold(list, aor);
    }
    const initial = member.status === undefined;
    try {
      const reply = await this.deps.agent.subscribe({ presentity: aor, subscriptionId: member.subscriptionId, watcher: list.watcher, event: 'presence', expires, edgeId: this.deps.edgeId, ...(initial ? { initial: true } : {}) });
      if (member.watching) this.deps.interest.apply(reply.state);
      if (this.decide(member, reply.status, reply.reason, reply.viewKey)) this.changed(list, member, false);
    } catch (error) {
      // A member its rules block is answered 403 on a first SUBSCRIBE (RFC 3856 §6.6): shown terminated, reason rejected.
      if (error instanceof AgentRejection && error.status === 403) {
        if (this.decide(member, 'terminated', 'rejected', WHOLE_DOCUMENT_VIEW)) this.changed(list, member, false);
      } else {
        // The member's agent is unavailable: shown pending until a refresh asks again.
        this.deps.logger.warn({ err: error, list: list.uri, member: aor }, 'list member subscription failed');
        if (member.status === undefined) member.status = 'pending';
      }
    }
    if (member.status === 'terminated' && member.watching) this.unwatch(list, member);
  }

  /** Records a decision; true when the member's instance or view changed. */
  private decide(member: MemberState, status: SubscribedReply['status'], reason: string | undefined, viewKey: string | undefined): boolean {
    const view = viewKey ?? WHOLE_DOCUMENT_VIEW;
    const instanceReason = status === 'terminated' ? (reason ?? 'rejected') : undefined;
    if (member.status === status && member.reason === instanceReason && member.viewKey === view) return false;
    member.status = status;
    member.reason = instanceReason;
    member.viewKey = view;
    return true;
  }

  private changed(list: ListSubscription, member: MemberState, notify = true): void {
    if (list.version < 0) return;
    list.changed.add(member);
    if (notify && list.dialog !== undefined) this.notifier?.stateChanged(list.dialog);
  }

  private hold(list: ListSubscription, aor: string): void {
    let holding = this.listsOf.get(aor);
    if (holding === undefined) this.listsOf.set(aor, (holding = new Set()));
    holding.add(list);
  }

  private unwatch(list: ListSubscription, member: MemberState): void {
    const aor = member.aor!;
    member.watching = false;
    this.deps.interest.release(aor);
    const holding = this.listsOf.get(aor);
    holding?.delete(list);
    if (holding?.size === 0) this.listsOf.delete(aor);
  }

  /**
   * A member leaves the list: its interest released, its back-end
   * subscription ended at its agent, best effort (the agent's expiry sweep
   * is the backstop): removed from the list is an unsubscribe (expires 0),
   * the list ending for another reason says that reason.
   */
  private dropMember(list: ListSubscription, member: MemberState, how: UnsubscribeReason | 'unsubscribed' | 'none'): void {
    if (member.watching) this.unwatch(list, member);
    this.memberIds.delete(member.subscriptionId);
    const aor = member.aor;
    if (how === 'none' || aor === undefined || member.status === 'terminated') return;
    const done =
      how === 'unsubscribed'
        ? this.deps.agent.subscribe({ presentity: aor, subscriptionId: member.subscriptionId, watcher: list.watcher, event: 'presence', expires: 0, edgeId: this.deps.edgeId })
        : this.deps.agent.unsubscribe(aor, member.subscriptionId, how);
    done.catch((error: unknown) => this.deps.logger.debug({ err: error, member: aor }, 'list member unsubscribe failed'));
  }

  private end(list: ListSubscription, how: UnsubscribeReason | 'none'): void {
    if (this.lists.get(list.id) !== list) return;
    this.lists.delete(list.id);
    for (const member of list.members.values()) this.dropMember(list, member, how);
  }

  private forgetList(list: ListSubscription): void {
    this.lists.delete(list.id);
    for (const member of list.members.values()) this.dropMember(list, member, 'none');
  }
}
