import { systemClock, type TimerClock } from '@presence/core';
import { createPresenceMetrics } from '@presence/metrics';
import { silentLogger } from '@presence/runtime';
import { eventually, FakeClock, metricValue } from '@presence/testkit';
import { describe, expect, it } from 'vitest';
import { POLITE_BLOCK_VIEW } from '@presence/contracts';
import { Notifier, type NotifySender } from './notifier.js';
import { PresenceBodies } from './notify-bodies.js';
import type { WatchedState } from './presentity-interest.js';
import type { OutgoingRequest, SipResponse } from '@presence/sip';
import { testDialog } from '../../test/test-dialog.js';
import type { WatcherDialog } from '../subscriptions/index.js';

function dialog(remoteTarget = 'sip:w@192.0.2.1'): WatcherDialog {
  return testDialog({ remoteTarget, expiresAt: Date.now() + 60_000 });
}

const STATE = { version: 1, body: new Uint8Array(), changedAt: 0, holders: 1 } as unknown as WatchedState;

/** A notifier whose every NOTIFY goes to `sender`, with the failures it reports. */
function setup(sender: NotifySender, options: { clock?: TimerClock; minIntervalMs?: number; state?: () => WatchedState } = {}) {
  const metrics = createPresenceMetrics({ processMetrics: false });
  const errors: string[] = [];
  const failures: number[] = [];
  const notifier = new Notifier({
    sender,
    bodies: new PresenceBodies({ current: options.state ?? (() => STATE), bodyOf: (_presentity: string, state: WatchedState) => state.body }),
    clock: options.clock ?? systemClock,
    minIntervalMs: options.minIntervalMs ?? 0,
    metrics,
    logger: { ...silentLogger, error: (_context: object, message: string) => void errors.push(message) },
  });
  notifier.delegate = { onNotifyFailed: (_dialog, status) => void failures.push(status) };
  return { notifier, metrics, errors, failures };
}

describe('notifier', () => {
  it('notifier - a NOTIFY the stack refuses to send (a rejection) ends the subscription like a transport failure', async () => {
    const { notifier, metrics, errors, failures } = setup({ sendRequest: () => Promise.reject(new TypeError('invalid Request-URI sip:w@x y')) });
    notifier.notifyNow(dialog());
    await eventually(() => expect(failures).toEqual([503]));
    const text = await metrics.render();
    expect(metricValue(text, 'presence_notifies_sent_total', { result: 'failed' })).toBe(1);
    expect(metricValue(text, 'presence_internal_errors_total', { source: 'notify' })).toBe(1);
    expect(errors).toEqual(['NOTIFY not sent: ending the subscription']);
  });

  it('notifier - a sender that throws at once, and a final NOTIFY that fails, are handled the same way', async () => {
    const { notifier, metrics, failures } = setup({
      sendRequest: () => {
        throw new TypeError('header To contains CR or LF');
      },
    });
    notifier.notifyNow(dialog());
    await eventually(() => expect(failures).toEqual([503]));
    await expect(notifier.notifyTerminated(dialog(), 'timeout')).resolves.toBeUndefined();
    expect(metricValue(await metrics.render(), 'presence_notifies_sent_total', { result: 'failed' })).toBe(2);
  });

  it('notifier - pacing: at most one NOTIFY per interval, changes meanwhile coalesced into one with the latest state', async () => {
    const clock = new FakeClock();
    const { sender, sent } = recordingSender();
    let version = 1;
    const { notifier, metrics } = setup(sender, { clock, minIntervalMs: 1000, state: () => stateAt(version) });
    const d = dialog();
    notifier.notifyNow(d);
    await settle();
    expect(sent).toEqual(['v1']);

    for (const next of [2, 3, 4]) {
      version = next;
      notifier.stateChanged(d);
    }
    await settle();
    clock.advance(999);
    await settle();
    expect(sent).toEqual(['v1']);
    clock.advance(1);
    await settle();
    expect(sent).toEqual(['v1', 'v4']);
    expect(metricValue(await metrics.render(), 'presence_notifies_coalesced_total')).toBe(2);
  });

  it('notifier - one NOTIFY in flight per dialog: a change waits for the response, a 491 sends again', async () => {
    const { sender, sent, answer } = recordingSender(true);
    let version = 1;
    const { notifier } = setup(sender, { state: () => stateAt(version) });
    const d = dialog();
    notifier.notifyNow(d);
    version = 2;
    notifier.stateChanged(d);
    await settle();
    expect(sent).toEqual(['v1']);
    answer(491);
    await settle();
    expect(sent).toEqual(['v1', 'v2']);
    answer(200);
    await settle();
    expect(sent).toEqual(['v1', 'v2']);
  });

  it('notifier - an immediate NOTIFY (refresh) skips the pacing wait and drops its timer', async () => {
    const clock = new FakeClock();
    const { sender, sent } = recordingSender();
    const { notifier } = setup(sender, { clock, minIntervalMs: 1000, state: () => stateAt(1) });
    const d = dialog();
    notifier.notifyNow(d);
    await settle();
    notifier.stateChanged(d);
    expect(clock.pending).toBe(1);
    notifier.notifyNow(d);
    await settle();
    expect(sent).toEqual(['v1', 'v1']);
    expect(clock.pending).toBe(0);
  });

  it('notifier - authorization: a pending dialog is told so without a body; a change sends it nothing, nor a politely blocked one', async () => {
    const requests: OutgoingRequest[] = [];
    const sender: NotifySender = { sendRequest: (request) => (requests.push(request), Promise.resolve({ status: 200 } as SipResponse)) };
    const { notifier } = setup(sender, { state: () => stateAt(1) });
    const pending = dialog();
    pending.startAs('pending', '');
    notifier.notifyNow(pending);
    await settle();
    expect(requests).toHaveLength(1);
    expect(requests[0]!.headers['subscription-state']).toMatch(/^pending;expires=/);
    expect(requests[0]!.headers['content-type']).toBeUndefined();
    expect(requests[0]!.body).toBe('');
    notifier.stateChanged(pending);
    const quiet = dialog();
    quiet.startAs('active', POLITE_BLOCK_VIEW);
    notifier.stateChanged(quiet);
    await settle();
    expect(requests).toHaveLength(1);
    await notifier.notifyTerminated(pending, 'rejected');
    expect(requests[1]!.headers['subscription-state']).toBe('terminated;reason=rejected');
    expect(requests[1]!.body).toBe('');
  });

  it('notifier - authorization: an active dialog gets the body of its view', async () => {
    const { sender, sent } = recordingSender();
    const views: string[] = [];
    const metrics = createPresenceMetrics({ processMetrics: false });
    const notifier = new Notifier({
      sender,
      bodies: new PresenceBodies({ current: () => stateAt(1), bodyOf: (_presentity, state, viewKey) => (views.push(viewKey), viewKey === 'k' ? new TextEncoder().encode('view k') : state.body) }),
      clock: systemClock,
      minIntervalMs: 0,
      metrics,
      logger: silentLogger,
    });
    const restricted = dialog();
    restricted.startAs('active', 'k');
    notifier.notifyNow(restricted);
    await settle();
    expect(sent).toEqual(['view k']);
    expect(views).toEqual(['k']);
  });
});

function stateAt(version: number): WatchedState {
  return { ...STATE, version, body: new TextEncoder().encode(`v${version}`) };
}

/** Records each NOTIFY's body; answers 200 at once, or (held) only when `answer` is called. */
function recordingSender(held = false) {
  const sent: string[] = [];
  const waiting: ((response: SipResponse) => void)[] = [];
  const sender: NotifySender = {
    sendRequest: (request: OutgoingRequest) => {
      sent.push(new TextDecoder().decode(request.body as Uint8Array));
      if (!held) return Promise.resolve({ status: 200 } as SipResponse);
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
  const answer = (status: number) => waiting.shift()?.({ status } as SipResponse);
  return { sender, sent, answer };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
