import { POLITE_BLOCK_VIEW } from '@presence/contracts';
import { createPresenceMetrics } from '@presence/metrics';
import { silentLogger } from '@presence/runtime';
import type { OutgoingRequest, SipResponse } from '@presence/sip';
import { FakeClock, metricValue } from '@presence/testkit';
import { describe, expect, it } from 'vitest';
import { testDialog } from '../../test/test-dialog.js';
import type { NotifyControls } from '../subscriptions/index.js';
import { Notifier } from './notifier.js';
import { PresenceBodies } from './notify-bodies.js';
import type { WatchedState } from './presentity-interest.js';

const START = 1_700_000_000_000;

/**
 * A notifier on a fake clock whose watched state is `state.version`, every
 * NOTIFY recorded with its Subscription-State, SIP-ETag and body.
 */
function setup(options: { minIntervalMs?: number; keepAliveMinIntervalMs?: number; answerEvent?: () => string | undefined } = {}) {
  const clock = new FakeClock(START);
  const metrics = createPresenceMetrics({ processMetrics: false });
  const sent: { at: number; state: string; etag: string | undefined; body: string }[] = [];
  const state = { version: 1, incarnation: 'i1', body: encode('v1'), views: undefined, changedAt: 0, holders: 1 } as unknown as WatchedState;
  const notifier = new Notifier({
    sender: {
      sendRequest: (request: OutgoingRequest) => {
        sent.push({ at: clock.now() - START, state: request.headers['subscription-state'] as string, etag: request.headers['sip-etag'] as string | undefined, body: typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body) });
        const event = options.answerEvent?.();
        return Promise.resolve({ status: 200, header: (name: string) => (name === 'event' ? event : undefined) } as SipResponse);
      },
    },
    bodies: new PresenceBodies({ current: () => state, bodyOf: (_p, s, viewKey) => (viewKey === POLITE_BLOCK_VIEW ? encode('offline') : s.body) }),
    clock,
    minIntervalMs: options.minIntervalMs ?? 0,
    keepAliveMinIntervalMs: options.keepAliveMinIntervalMs ?? 1000,
    metrics,
    logger: silentLogger,
  });
  const change = (version: number) => {
    state.version = version;
    state.body = encode(`v${version}`);
  };
  const dialog = testDialog({ expiresAt: START + 3_600_000 });
  /** The watched state moves to `version` and the dialog hears of it, as the interest tells the registry. */
  const changed = (version: number) => {
    change(version);
    notifier.stateChanged(dialog);
  };
  const advance = async (ms: number) => {
    clock.advance(ms);
    await settle();
  };
  /** Nothing is sent for `ms` - 1 more, then one NOTIFY: the gap or keep-alive ends exactly then. */
  const nextAfter = async (ms: number) => {
    const before = sent.length;
    await advance(ms - 1);
    expect(sent).toHaveLength(before);
    await advance(1);
    expect(sent).toHaveLength(before + 1);
  };
  return { clock, notifier, sent, dialog, change, changed, advance, nextAfter, metrics };
}

/** Subscribes the dialog with `controls` as the registry does: controls, then the immediate NOTIFY. */
async function subscribe(notifier: Notifier, dialog: ReturnType<typeof testDialog>, controls: NotifyControls): Promise<boolean> {
  const holds = notifier.applyControls(dialog, controls, 3600);
  notifier.notifyNow(dialog);
  await settle();
  return holds;
}

describe('RFC 6446 rate control at the notifier', () => {
  it('max-rate - no NOTIFY sooner than 1/max-rate after the last; changes meanwhile go as one at the end of the gap, reflected in Subscription-State', async () => {
    const { notifier, sent, dialog, changed, nextAfter } = setup();
    await subscribe(notifier, dialog, { rates: { maxRate: 0.5 } });
    expect(sent[0]).toMatchObject({ at: 0, state: 'active;expires=3600;max-rate=0.5', body: 'v1' });
    changed(2);
    changed(3);
    await nextAfter(2_000);
    expect(sent.map((n) => [n.at, n.body])).toEqual([
      [0, 'v1'],
      [2000, 'v3'],
    ]);
  });

  it('max-rate - a new view from a rule change keeps to the gap too (only SUBSCRIBE, pending to active and the end are exempt, §5.2)', async () => {
    const { notifier, sent, dialog, nextAfter } = setup();
    await subscribe(notifier, dialog, { rates: { maxRate: 0.5 } });
    dialog.showView(POLITE_BLOCK_VIEW);
    notifier.viewChanged(dialog);
    await nextAfter(2_000);
    expect(sent.map((n) => [n.at, n.body])).toEqual([
      [0, 'v1'],
      [2000, 'offline'],
    ]);
  });

  it('max-rate - the server policy is the floor of the gap, and is reflected as the applied max-rate', async () => {
    const { notifier, sent, dialog, changed, nextAfter } = setup({ minIntervalMs: 5000 });
    await subscribe(notifier, dialog, { rates: { maxRate: 10 } });
    expect(sent[0]!.state).toBe('active;expires=3600;max-rate=0.2');
    changed(2);
    await nextAfter(5_000);
    expect(sent[1]!.at).toBe(5000);
  });

  it('min-rate - the current state is sent again when 1/min-rate passes without a NOTIFY; a change restarts the period', async () => {
    const { notifier, sent, dialog, advance, changed } = setup();
    await subscribe(notifier, dialog, { rates: { minRate: 0.1 } });
    await advance(10_000);
    expect(sent.map((n) => [n.at, n.body, n.state])).toEqual([
      [0, 'v1', 'active;expires=3600;min-rate=0.1'],
      [10_000, 'v1', 'active;expires=3590;min-rate=0.1'],
    ]);
    await advance(4000);
    changed(2);
    await settle();
    await advance(9999);
    expect(sent.map((n) => n.at)).toEqual([0, 10_000, 14_000]);
    await advance(1);
    expect(sent.map((n) => n.at)).toEqual([0, 10_000, 14_000, 24_000]);
  });

  it('min-rate - a faster keep-alive than the server allows is lowered to its bound and reflected so', async () => {
    const { notifier, sent, dialog, advance } = setup({ keepAliveMinIntervalMs: 5000 });
    await subscribe(notifier, dialog, { rates: { minRate: 2 } });
    await advance(5000);
    expect(sent.map((n) => [n.at, n.state])).toEqual([
      [0, 'active;expires=3600;min-rate=0.2'],
      [5000, 'active;expires=3595;min-rate=0.2'],
    ]);
  });

  it('adaptive-min-rate - keep-alives follow RFC 6446 §7.4: 1/rate at first, longer after a burst of changes', async () => {
    const { notifier, sent, dialog, advance, changed, nextAfter } = setup();
    await subscribe(notifier, dialog, { rates: { adaptiveMinRate: 0.1 } });
    expect(sent[0]!.state).toBe('active;expires=3600;adaptive-min-rate=0.1');
    // History of 10 over the last 100 s plus the first NOTIFY: timeout = 11 / (0.01 × 100) = 11 s.
    await advance(11_000);
    expect(sent.map((n) => n.at)).toEqual([0, 11_000]);
    // A burst of 8 changes: within the last 100 s are 9 of the initial history, the 2 NOTIFYs and the 8, so 19 s after the last.
    for (let version = 2; version <= 9; version++) {
      changed(version);
      await settle();
    }
    expect(sent).toHaveLength(10);
    await nextAfter(19_000);
    expect(sent.map((n) => n.at).at(-1)).toBe(30_000);
  });

  it('RFC 6446 §9.3 - the rates restated in the Event of a 2xx to a NOTIFY apply from then on; one of another package is ignored', async () => {
    let answerEvent: string | undefined = 'presence;max-rate=0.1';
    const { notifier, sent, dialog, advance, changed, nextAfter } = setup({ answerEvent: () => answerEvent });
    await subscribe(notifier, dialog, { rates: { maxRate: 1 } });
    answerEvent = 'presence.winfo;max-rate=5';
    changed(2);
    await nextAfter(10_000);
    expect(sent.map((n) => [n.at, n.state])).toEqual([
      [0, 'active;expires=3600;max-rate=1'],
      [10_000, 'active;expires=3590;max-rate=0.1'],
    ]);
    answerEvent = 'presence';
    changed(3);
    await advance(10_000);
    changed(4);
    await settle();
    // The 2xx to the third NOTIFY named no rate: rate control is gone, the fourth goes at once, reflecting none.
    expect(sent.map((n) => [n.at, n.state]).slice(2)).toEqual([
      [20_000, 'active;expires=3580;max-rate=0.1'],
      [20_000, 'active;expires=3580'],
    ]);
  });

  it('a refresh without rate parameters removes them: nothing reflected, no keep-alive', async () => {
    const { clock, notifier, sent, dialog } = setup();
    await subscribe(notifier, dialog, { rates: { minRate: 0.1 } });
    expect(clock.pending).toBe(1);
    await subscribe(notifier, dialog, {});
    expect(sent[1]!.state).toBe('active;expires=3600');
    expect(clock.pending).toBe(0);
  });

  it('a watcher that asks for nothing gets no pacing state and no rate parameters', async () => {
    const { notifier, sent, dialog } = setup();
    await subscribe(notifier, dialog, {});
    expect(dialog.pacing).toBeUndefined();
    expect(sent[0]!.state).toBe('active;expires=3600');
  });
});

describe('RFC 5839 conditional notification at the notifier', () => {
  it('SIP-ETag - every NOTIFY with state carries the tag of its version and view; a new version has a new one', async () => {
    const { notifier, sent, dialog, change, changed } = setup();
    await subscribe(notifier, dialog, {});
    changed(2);
    await settle();
    const blocked = testDialog({ id: 'd2', expiresAt: START + 3_600_000 });
    blocked.startAs('active', POLITE_BLOCK_VIEW);
    await subscribe(notifier, blocked, {});
    change(3);
    await subscribe(notifier, blocked, {});
    const [first, second, offline, offlineLater] = sent;
    expect(first!.etag).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(second!.etag).not.toBe(first!.etag);
    // A politely blocked watcher's tag never moves with the versions the rules hide.
    expect(offline!.etag).toBe(offlineLater!.etag);
    expect(offline!.etag).not.toBe(first!.etag);
  });

  it('a SUBSCRIBE with the current tag: its NOTIFY has no body but the tag; the next change is sent in full', async () => {
    const { notifier, sent, dialog, changed } = setup();
    await subscribe(notifier, dialog, {});
    const tag = sent[0]!.etag!;
    expect(await subscribe(notifier, dialog, { suppressIfMatch: tag })).toBe(true);
    expect(sent[1]).toMatchObject({ etag: tag, body: '' });
    changed(2);
    await settle();
    expect(sent[2]!.body).toBe('v2');
    expect(sent[2]!.etag).not.toBe(tag);
  });

  it('a stale tag is no condition: the full state goes', async () => {
    const { notifier, sent, dialog } = setup();
    expect(await subscribe(notifier, dialog, { suppressIfMatch: 'stale' })).toBe(false);
    expect(sent[0]!.body).toBe('v1');
  });

  it('while the tag holds, keep-alives are suppressed whole (nothing changed); "*" suppresses changes too until the next SUBSCRIBE', async () => {
    const { notifier, sent, dialog, advance, metrics, changed } = setup();
    await subscribe(notifier, dialog, { rates: { minRate: 0.1 } });
    notifier.applyControls(dialog, { rates: { minRate: 0.1 }, suppressIfMatch: sent[0]!.etag! }, 3600);
    await advance(30_000);
    expect(sent).toHaveLength(1);
    notifier.applyControls(dialog, { suppressIfMatch: '*' }, 3600);
    changed(2);
    await settle();
    expect(sent).toHaveLength(1);
    expect(metricValue(await metrics.render(), 'presence_notifies_dropped_total', { reason: 'unchanged' })).toBe(4);
    await notifier.notifyTerminated(dialog, 'timeout');
    // The termination is reportable: it goes, without a body, with the current tag (RFC 5839 §6.2).
    expect(sent[1]).toMatchObject({ body: '', state: 'terminated;reason=timeout' });
    expect(sent[1]!.etag).toMatch(/^[A-Za-z0-9_.-]+$/);
  });

  it('a pending dialog has no entity: its tag never matches, and its NOTIFYs carry none', async () => {
    const { notifier, sent, dialog } = setup();
    dialog.startAs('pending', '');
    const tag = new PresenceBodies({ current: () => ({ version: 1, incarnation: 'i1' }) as WatchedState, bodyOf: () => encode('') }).entityTag(testDialog());
    expect(await subscribe(notifier, dialog, { suppressIfMatch: tag! })).toBe(false);
    expect(sent[0]!.etag).toBeUndefined();
  });
});

function encode(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
