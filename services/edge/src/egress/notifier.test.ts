import { systemClock } from '@presence/core';
import { createPresenceMetrics } from '@presence/metrics';
import { silentLogger } from '@presence/runtime';
import { eventually, metricValue } from '@presence/testkit';
import { describe, expect, it } from 'vitest';
import { Notifier, type NotifySender } from './notifier.js';
import type { WatchedState } from './presentity-interest.js';
import { WatcherDialog } from '../subscriptions/index.js';

function dialog(remoteTarget = 'sip:w@192.0.2.1'): WatcherDialog {
  return new WatcherDialog({
    id: 'd1',
    callId: 'call-1',
    localTag: 'l',
    remoteTag: 'r',
    localUri: 'sip:p@example.com',
    remoteUri: 'sip:w@example.com',
    remoteTarget,
    routeSet: [],
    presentity: 'sip:p@example.com',
    event: 'presence',
    flow: 'udp|0|5060|192.0.2.1',
    localContact: 'sip:edge@192.0.2.2',
    localCseq: 1,
    remoteCseq: 1,
    expiresAt: Date.now() + 60_000,
  });
}

const STATE = { version: 1, body: new Uint8Array(), changedAt: 0, holders: 1 } as unknown as WatchedState;

/** A notifier whose every NOTIFY goes to `sender`, with the failures it reports. */
function setup(sender: NotifySender) {
  const metrics = createPresenceMetrics({ processMetrics: false });
  const errors: string[] = [];
  const failures: number[] = [];
  const notifier = new Notifier({
    sender,
    interest: { current: () => STATE },
    clock: systemClock,
    minIntervalMs: 0,
    metrics,
    logger: { ...silentLogger, error: (_context: object, message: string) => void errors.push(message) },
  });
  notifier.delegate = { notifyFailed: (_dialog, status) => void failures.push(status) };
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
});
