import { randomBytes } from 'node:crypto';
import { aorDomain } from '@presence/core';
import { multipartRelated, renderRlmi, type RelatedPart, type RlmiResource } from '@presence/policy';
import type { NotifyBodies, NotifyBody } from '../egress/notify-bodies.js';
import { PIDF_CONTENT_TYPE } from '../egress/notify-request.js';
import type { PresentityInterest } from '../egress/presentity-interest.js';
import type { WatcherDialog } from '../subscriptions/index.js';
import { instanceIdOf, type ListSubscription, type MemberState } from './list-state.js';

/** RFC 4662 §4.5: every list NOTIFY says it carries a list. */
const REQUIRE_EVENTLIST = 'eventlist';

/**
 * List NOTIFY bodies (RFC 4662 §5): multipart/related, the RLMI root then
 * one application/pidf+xml part per member instance with state. The first
 * NOTIFY, a refresh's, and any after the membership was rebuilt carry full
 * state; the others only the members changed since the last (and those
 * removed, terminated). Each member's part is the bytes the presentity
 * interest holds for its view, shared with every single watcher of it.
 */
export class ListBodies implements NotifyBodies {
  readonly contentType = 'multipart/related';

  constructor(
    private readonly lists: { get(id: string): ListSubscription | undefined; ended(dialog: WatcherDialog): void },
    private readonly interest: Pick<PresentityInterest, 'current' | 'bodyOf'>,
  ) {}

  next(dialog: WatcherDialog): NotifyBody | undefined {
    const list = this.lists.get(dialog.id);
    if (list === undefined) return undefined;
    list.dialog = dialog;
    const full = list.version < 0 || (list.changed.size === 0 && list.removed.length === 0);
    const shown = full ? [...list.members.values()] : [...list.changed];
    const removed = full ? [] : list.removed;
    // An adopted list starts at its dialog's CSeq: the mirror's CSeq jumps past every NOTIFY the previous edge sent, so do the versions.
    list.version = list.version < 0 && list.adopted ? dialog.localCseq : list.version + 1;
    list.changed.clear();
    list.removed = [];
    const token = randomBytes(12).toString('base64url');
    const domain = safeDomain(list.uri);
    const parts: RelatedPart[] = [];
    let changedAt = 0;
    const resources: RlmiResource[] = shown.map((member) => {
      const resource = { uri: member.uri, ...(member.name === undefined ? {} : { name: member.name }) };
      const state = member.status ?? 'pending';
      if (state !== 'active' || member.aor === undefined) return { ...resource, instances: [{ id: instanceIdOf(member), state, ...reasonOf(member) }] };
      const watched = this.interest.current(member.aor);
      if (watched === undefined) return { ...resource, instances: [{ id: instanceIdOf(member), state }] };
      const cid = `${token}.${parts.length}@${domain}`;
      parts.push({ cid, contentType: PIDF_CONTENT_TYPE, body: this.interest.bodyOf(member.aor, watched, member.viewKey) });
      if (!full) changedAt = Math.max(changedAt, watched.changedAt);
      return { ...resource, instances: [{ id: instanceIdOf(member), state, cid }] };
    });
    for (const member of removed) resources.push({ uri: member.uri, instances: [{ id: instanceIdOf(member), state: 'terminated', reason: 'noresource' }] });
    const rlmi = renderRlmi({ uri: list.uri, version: list.version, fullState: full, resources });
    const { contentType, body } = multipartRelated(rlmi, `${token}@${domain}`, parts, `rls-${token}`);
    return { body, changedAt, headers: { 'content-type': contentType, require: REQUIRE_EVENTLIST } };
  }

  /** The final NOTIFY of a list carries no body: the list subscription ends, and with it every instance (RFC 4662 §4.5). */
  final(): string {
    return '';
  }

  forget(dialog: WatcherDialog): void {
    this.lists.ended(dialog);
  }
}

function reasonOf(member: MemberState): { reason?: string } {
  if (member.status !== 'terminated') return {};
  return { reason: member.aor === undefined ? 'noresource' : (member.reason ?? 'rejected') };
}

function safeDomain(uri: string): string {
  try {
    return aorDomain(uri);
  } catch {
    return 'rls.invalid';
  }
}
