import { POLITE_BLOCK_VIEW, type AuthorizationChange, type PresentitySnapshot } from '@presence/contracts';
import type { DialogRecord, DialogStore, TerminationReason } from '@presence/core';
import { createPresenceMetrics } from '@presence/metrics';
import { silentLogger } from '@presence/runtime';
import { NotAcceptableHereError } from '@presence/core';
import { mergeFilterSet, parseFilterDocument } from '@presence/policy';
import { FakeClock } from '@presence/testkit';
import { describe, expect, it } from 'vitest';
import type { InitialSubscribe } from './subscribe-request.js';
import type { DialogNotifier, EventPackage, PackageState, SubscriptionDecision, WatcherAgent } from './subscription-delegates.js';
import { SubscriptionRegistry } from './subscription-registry.js';
import { fromDialogRecord, type WatcherDialog } from './watcher-dialog.js';

const PRESENTITY = 'sip:p@example.com';
/** A presentity the agent fails for. */
const UNREACHABLE = 'sip:down@example.com';
const SNAPSHOT: PresentitySnapshot = { presentity: PRESENTITY, version: 1, document: '<presence/>' };

/** A registry on a fake clock, with every door out of it recorded. */
function setup(limits = { perWatcher: 1000, perAddress: 1000, retryAfterSeconds: 5 }, packages: (calls: string[]) => Record<string, EventPackage<PackageState>> = () => ({})) {
  const clock = new FakeClock();
  /** What the agent decides for the next SUBSCRIBE (tests change it between requests). */
  const decision: { next: Omit<SubscriptionDecision, 'state'> } = { next: { status: 'active' } };
  const calls: string[] = [];
  const mirror = new Map<string, DialogRecord>();
  const dialogs: DialogStore = {
    saveDialog: async (record) => void mirror.set(record.subscriptionId, record),
    loadDialog: async (id) => mirror.get(id),
    deleteDialog: async (id) => void mirror.delete(id),
  };
  const agent: WatcherAgent = {
    subscribe: async (fields) => {
      if (fields.presentity === UNREACHABLE) throw new Error('agent unreachable');
      return calls.push(`subscribe ${fields.expires}`), { ...decision.next, state: SNAPSHOT };
    },
    unsubscribe: async () => void calls.push('unsubscribe'),
    fetchStates: async () => [SNAPSHOT],
  };
  const notifier: DialogNotifier = {
    notifyNow: (dialog: WatcherDialog) => void calls.push(`notify ${clock.now()}${dialog.pending ? ' pending' : ''}${dialog.viewKey === '' ? '' : ` view ${dialog.viewKey}`}`),
    stateChanged: () => void calls.push('changed'),
    notifyTerminated: async (_dialog: WatcherDialog, reason: TerminationReason) => void calls.push(`terminated ${reason} ${clock.now()}`),
    cancel: () => undefined,
    forget: () => undefined,
  };
  const registry = new SubscriptionRegistry({
    agent,
    interest: { acquire: () => undefined, release: () => undefined, apply: () => true },
    notifier,
    dialogs,
    policy: { min: 1, max: 3600, default: 60 },
    clock,
    edgeId: 'edge-1',
    metrics: createPresenceMetrics({ processMetrics: false }),
    logger: silentLogger,
    limits,
    packages: packages(calls),
  });
  const answers: number[] = [];
  // A 204 (RFC 5839) is recorded as the negative of its Expires, so a test tells it from a 200.
  const answer = { accept: (_dialog: unknown, expires: number) => void answers.push(expires), noNotification: (_dialog: unknown, expires: number) => void answers.push(-expires) };
  return { clock, calls, mirror, registry, answer, answers, decision };
}

const initial = (requestedExpires: number | undefined): InitialSubscribe => ({
  callId: 'call-1',
  remoteTag: 'from-tag',
  localTag: 'to-tag',
  localUri: PRESENTITY,
  remoteUri: 'sip:w@example.com',
  remoteTarget: 'sip:w@192.0.2.1',
  routeSet: [],
  presentity: PRESENTITY,
  event: 'presence',
  eventPackage: 'presence',
  flow: 'udp|0|5060|192.0.2.1',
  source: '192.0.2.1',
  localContact: 'sip:edge@192.0.2.2',
  remoteCseq: 1,
  requestedExpires,
});

const inDialog = { callId: 'call-1', remoteTag: 'from-tag', localTag: 'to-tag', flow: 'udp|0|5060|192.0.2.1', source: '192.0.2.1', localContact: 'sip:edge@192.0.2.2', requester: undefined };

/** Lets the background termination (store and agent calls) finish. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('SubscriptionRegistry', () => {
  it('subscription registry - a subscription not refreshed ends at its expiry with terminated;reason=timeout, mirror and agent cleaned up', async () => {
    const { clock, calls, mirror, registry, answer, answers } = setup();
    const start = clock.now();
    await registry.subscribe(initial(60), answer);
    expect(answers).toEqual([60]);
    expect(calls).toEqual(['subscribe 60', `notify ${start}`]);
    expect(registry.size).toBe(1);

    clock.advance(59_999);
    await settle();
    expect(registry.size).toBe(1);

    clock.advance(1);
    await settle();
    expect(registry.size).toBe(0);
    expect(mirror.size).toBe(0);
    expect(calls.slice(2).sort()).toEqual([`terminated timeout ${start + 60_000}`, 'unsubscribe']);
  });

  it('subscription registry - a refresh moves the expiry; an unsubscribe ends at once with one final NOTIFY', async () => {
    const { clock, calls, registry, answer, answers } = setup();
    const start = clock.now();
    await registry.subscribe(initial(60), answer);
    clock.advance(30_000);
    await registry.resubscribe({ ...inDialog, remoteCseq: 2, requestedExpires: 60 }, answer);
    clock.advance(59_999);
    await settle();
    expect(registry.size).toBe(1);

    await registry.resubscribe({ ...inDialog, remoteCseq: 3, requestedExpires: 0 }, answer);
    expect(answers).toEqual([60, 60, 0]);
    expect(registry.size).toBe(0);
    expect(calls).toEqual(['subscribe 60', `notify ${start}`, 'subscribe 60', `notify ${start + 30_000}`, 'subscribe 0', `terminated timeout ${start + 89_999}`]);
    clock.advance(60_000);
    await settle();
    expect(calls).toHaveLength(6);
  });

  it('subscription registry - a fetch (Expires 0) answers, sends one final NOTIFY and keeps nothing', async () => {
    const { clock, calls, mirror, registry, answer, answers } = setup();
    await registry.subscribe(initial(0), answer);
    expect(answers).toEqual([0]);
    expect(calls).toEqual(['subscribe 0', `terminated timeout ${clock.now()}`]);
    expect(registry.size).toBe(0);
    expect(mirror.size).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('subscription registry - only the watcher refreshes or ends its subscription, held here or adopted from the mirror (403)', async () => {
    const { calls, mirror, registry, answer, answers } = setup();
    await registry.subscribe(initial(60), answer);
    const mallory = { ...inDialog, requester: 'sip:mallory@example.com' };
    await expect(registry.resubscribe({ ...mallory, remoteCseq: 2, requestedExpires: 0 }, answer)).rejects.toMatchObject({ status: 403 });
    expect(registry.size).toBe(1);

    const elsewhere = setup();
    for (const record of mirror.values()) elsewhere.mirror.set(record.subscriptionId, record);
    await expect(elsewhere.registry.resubscribe({ ...mallory, remoteCseq: 2, requestedExpires: 60 }, elsewhere.answer)).rejects.toMatchObject({ status: 403 });
    expect(elsewhere.registry.size).toBe(0);
    expect(elsewhere.calls).toEqual([]);

    await registry.resubscribe({ ...inDialog, requester: 'sip:w@example.com', remoteCseq: 3, requestedExpires: 0 }, answer);
    expect(answers).toEqual([60, 0]);
    expect(calls.at(-1)).toMatch(/^terminated timeout/);
  });

  it('subscription registry - past the per-watcher cap a new SUBSCRIBE gets 403; refreshes pass; an ended dialog frees its place', async () => {
    const { clock, registry, answer, answers } = setup({ perWatcher: 1, perAddress: 10, retryAfterSeconds: 5 });
    await registry.subscribe(initial(60), answer);
    const second = { ...initial(60), callId: 'call-2', localTag: 'to-tag-2' };
    await expect(registry.subscribe(second, answer)).rejects.toMatchObject({ status: 403, reason: 'Too many subscriptions for this watcher' });
    await registry.resubscribe({ ...inDialog, remoteCseq: 2, requestedExpires: 60 }, answer);
    // A fetch holds nothing, so the cap does not refuse it.
    await registry.subscribe({ ...second, requestedExpires: 0 }, answer);
    expect(registry.size).toBe(1);

    clock.advance(60_000);
    await settle();
    expect(registry.size).toBe(0);
    await registry.subscribe(second, answer);
    expect(registry.size).toBe(1);
    expect(answers).toEqual([60, 60, 0, 60]);
  });

  it('subscription registry - past the per-address cap a new SUBSCRIBE gets 503 with Retry-After; other addresses are unaffected', async () => {
    const { registry, answer } = setup({ perWatcher: 10, perAddress: 1, retryAfterSeconds: 7 });
    const other = { ...initial(60), callId: 'call-2', localTag: 'to-tag-2', remoteUri: 'sip:x@example.com' };
    await registry.subscribe(initial(60), answer);
    expect(registry.size).toBe(1);
    const refused = registry.subscribe(other, answer);
    await expect(refused).rejects.toMatchObject({ status: 503, reason: 'Too many subscriptions from this address' });
    await expect(refused.catch((error: { headers(): Record<string, string> }) => error.headers())).resolves.toEqual({ 'retry-after': '7' });
    await registry.subscribe({ ...other, source: '192.0.2.99' }, answer);
    expect(registry.size).toBe(2);
  });

  it('subscription registry - a SUBSCRIBE that fails after admission gives its place back', async () => {
    const { registry, answer } = setup({ perWatcher: 1, perAddress: 1, retryAfterSeconds: 5 });
    await expect(registry.subscribe({ ...initial(60), presentity: UNREACHABLE }, answer)).rejects.toThrow('agent unreachable');
    await registry.subscribe(initial(60), answer);
    expect(registry.size).toBe(1);
  });

  it('subscription registry - authorization: a pending watcher is held pending, turns active (mirrored) when a rule change allows it, and a repeated decision sends nothing', async () => {
    const { calls, mirror, registry, answer, decision } = setup();
    decision.next = { status: 'pending', viewKey: '' };
    await registry.subscribe(initial(60), answer);
    expect(calls.at(-1)).toMatch(/^notify \d+ pending$/);
    expect({ size: registry.size, pending: registry.pendingCount() }).toEqual({ size: 1, pending: 1 });
    const [record] = [...mirror.values()];
    expect(record?.status).toBe('pending');
    const change = (status: AuthorizationChange['status'], viewKey: string, reason?: AuthorizationChange['reason']): AuthorizationChange => ({
      v: 1,
      type: 'authorization',
      subscriptionId: record!.subscriptionId,
      status,
      viewKey,
      ...(reason === undefined ? {} : { reason }),
      state: SNAPSHOT,
    });
    registry.onAuthorization(change('pending', ''));
    expect(calls).toHaveLength(2);
    registry.onAuthorization(change('active', 'k1'));
    await settle();
    expect(calls.at(-1)).toMatch(/^notify \d+ view k1$/);
    expect([...mirror.values()][0]).toMatchObject({ status: 'active', viewKey: 'k1' });
    expect({ size: registry.size, pending: registry.pendingCount() }).toEqual({ size: 1, pending: 0 });
    registry.onAuthorization(change('active', 'k1'));
    expect(calls).toHaveLength(3);
    registry.onAuthorization(change('active', POLITE_BLOCK_VIEW));
    expect(calls.at(-1)).toMatch(/view polite-block$/);
    await settle();
    // Another edge adopting the mirrored dialog starts from its status and view.
    const adopted = fromDialogRecord([...mirror.values()][0]!, 'udp|0|5060|192.0.2.9', '192.0.2.9', 'sip:edge@192.0.2.2');
    expect({ status: adopted.status, viewKey: adopted.viewKey }).toEqual({ status: 'active', viewKey: POLITE_BLOCK_VIEW });
  });

  it('subscription registry - authorization: a block ends a live dialog with reason rejected; allowed again to confirm ends it deactivated (no way back to pending)', async () => {
    const { calls, mirror, registry, answer } = setup();
    await registry.subscribe(initial(60), answer);
    const id = [...mirror.keys()][0]!;
    registry.onAuthorization({ v: 1, type: 'authorization', subscriptionId: id, status: 'terminated', reason: 'rejected', viewKey: '', state: SNAPSHOT });
    await settle();
    expect(registry.size).toBe(0);
    expect(calls.filter((c) => c.startsWith('terminated'))).toEqual([expect.stringMatching(/^terminated rejected/)]);

    const second = setup();
    await second.registry.subscribe(initial(60), second.answer);
    second.registry.onAuthorization({ v: 1, type: 'authorization', subscriptionId: [...second.mirror.keys()][0]!, status: 'pending', viewKey: '', state: SNAPSHOT });
    await settle();
    expect(second.registry.size).toBe(0);
    expect(second.calls.filter((c) => c.startsWith('terminated'))).toEqual([expect.stringMatching(/^terminated deactivated/)]);
  });

  it('subscription registry - authorization: a refresh carries the decision: approved turns active, blocked is answered 200 then ended rejected; a new blocked SUBSCRIBE is refused 403', async () => {
    const { calls, registry, answer, answers, decision } = setup();
    decision.next = { status: 'pending' };
    await registry.subscribe(initial(60), answer);
    decision.next = { status: 'active', viewKey: 'k2' };
    await registry.resubscribe({ ...inDialog, remoteCseq: 2, requestedExpires: 60 }, answer);
    expect(calls.at(-1)).toMatch(/^notify \d+ view k2$/);
    decision.next = { status: 'terminated', reason: 'rejected' };
    await registry.resubscribe({ ...inDialog, remoteCseq: 3, requestedExpires: 60 }, answer);
    expect(answers).toEqual([60, 60, 60]);
    expect(registry.size).toBe(0);
    expect(calls.at(-1)).toMatch(/^terminated rejected/);
    await expect(registry.subscribe({ ...initial(60), callId: 'call-9' }, answer)).rejects.toMatchObject({ status: 403 });
    expect(registry.size).toBe(0);
  });

  it('subscription registry - each event package has its own dialogs: a presence change never reaches a winfo dialog of the same presentity', async () => {
    const winfo = (calls: string[]): Record<string, EventPackage<PackageState>> => ({
      'presence.winfo': {
        agent: { subscribe: async () => (calls.push('winfo list'), { status: 'active', state: { presentity: PRESENTITY } }), unsubscribe: async (_p, _id, reason) => void calls.push(`winfo unsubscribe ${reason}`), fetchStates: async () => [{ presentity: PRESENTITY }] },
        interest: { acquire: () => undefined, release: () => undefined, apply: () => true },
        notifier: { notifyNow: () => void calls.push('winfo notify'), stateChanged: () => void calls.push('winfo changed'), notifyTerminated: async (_d, reason) => void calls.push(`winfo terminated ${reason}`), cancel: () => undefined, forget: () => void calls.push('winfo forget') },
      },
    });
    const { clock, calls, registry, answer } = setup(undefined, winfo);
    await registry.subscribe(initial(600), answer);
    await registry.subscribe({ ...initial(60), callId: 'call-2', event: 'presence.winfo', eventPackage: 'presence.winfo' }, answer);
    expect(registry.size).toBe(2);
    calls.length = 0;
    registry.onPresentityChanged(PRESENTITY);
    registry.onPackageChanged('presence.winfo', PRESENTITY);
    expect(calls).toEqual(['changed', 'winfo changed']);
    clock.advance(60_000);
    await settle();
    expect(registry.size).toBe(1);
    expect(calls.slice(2).sort()).toEqual(['winfo terminated timeout', 'winfo unsubscribe expired']);
    await expect(registry.subscribe({ ...initial(60), callId: 'call-3', event: 'dialog', eventPackage: 'dialog' }, answer)).rejects.toMatchObject({ status: 489 });
  });

  describe('notification filters (RFC 4660 §3.3.3)', () => {
    const document = (id: string, path: string) => `<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter"><filter id="${id}"><what><include>${path}</include></what></filter></filter-set>`;
    const change = (xml: string) => (held: Parameters<typeof mergeFilterSet>[0]) => mergeFilterSet(held, parseFilterDocument(xml));

    it('subscriptions - a refresh with a filter changes the held filters by id and the mirror carries them; one without keeps them', async () => {
      const { registry, answer, mirror } = setup();
      await registry.subscribe({ ...initial(60), filter: change(document('a', '//basic')) }, answer);
      expect(mirror.get([...mirror.keys()][0]!)?.filter).toContain('//basic');
      await registry.resubscribe({ ...inDialog, remoteCseq: 2, requestedExpires: 60, filter: change(document('b', '//note')) }, answer);
      const record = mirror.get([...mirror.keys()][0]!)!;
      expect(record.filter).toContain('//basic');
      expect(record.filter).toContain('//note');
      await registry.resubscribe({ ...inDialog, remoteCseq: 3, requestedExpires: 60 }, answer);
      expect(fromDialogRecord(mirror.get(record.subscriptionId)!, 'f', 's', 'c').filter?.filters.map((f) => f.id)).toEqual(['a', 'b']);
    });

    it('subscriptions - a filter that cannot be held is refused before the agent hears of the SUBSCRIBE', async () => {
      const { registry, answer, calls, mirror } = setup();
      const refuse = () => {
        throw new NotAcceptableHereError('Filter not supported: more than 16 filters');
      };
      await expect(registry.subscribe({ ...initial(60), filter: refuse }, answer)).rejects.toThrow(NotAcceptableHereError);
      expect(calls).toEqual([]);
      expect(mirror.size).toBe(0);
    });
  });
});
