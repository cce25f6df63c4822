import { renderTable } from '../report/text-table.js';
import type { ChaosResult } from './run-chaos.js';

const codes = (byCode: Readonly<Record<string, number>>): string =>
  Object.entries(byCode)
    .sort(([, a], [, b]) => b - a)
    .map(([code, n]) => `${code}×${n}`)
    .join(' ');

/** Per disturbance: degraded seconds, failed requests, delayed NOTIFYs; then the invariants and the first violations. */
export function renderChaosReport(result: ChaosResult): string {
  const { config } = result;
  const header =
    `chaos run: ${result.label}; P=${config.presentities} W=${config.watchers} (${config.presentities * config.watchers} dialogs), ` +
    `PUBLISH ${config.rate}/s, gap ${config.gapS} s, lease ${config.leaseSeconds} s, NOTIFY delayed when > ${config.delayThresholdMs} ms after its PUBLISH`;
  const windows = renderTable(
    [
      { title: 'window' },
      { title: 'length s', align: 'right' },
      { title: 'degraded s', align: 'right' },
      { title: 'recovered after s', align: 'right' },
      { title: 'PUBLISH ok', align: 'right' },
      { title: 'PUBLISH failed', align: 'right' },
      { title: 'failed by code' },
      { title: 'SUBSCRIBE failed', align: 'right' },
      { title: 'failed by code' },
      { title: 'NOTIFY delayed', align: 'right' },
      { title: 'terminated', align: 'right' },
      { title: 're-subscribed', align: 'right' },
    ],
    result.windows.map((w) => [
      w.name,
      ((w.endMs - w.startMs) / 1000).toFixed(1),
      w.degradedSeconds.toFixed(1),
      w.recoveredAfterSeconds.toFixed(1),
      String(w.publishesOk),
      String(w.counts['publish-failed']),
      codes(w.publishFailuresByCode),
      String(w.counts['subscribe-failed']),
      codes(w.subscribeFailuresByCode),
      String(w.counts['notify-delayed']),
      String(w.counts.terminated),
      String(w.counts.resubscribed),
    ]),
  );
  const what = Object.entries(result.descriptions).map(([name, description]) => `  ${name}: ${description}`);
  const invariants = renderTable(
    [{ title: 'invariant' }, { title: 'result' }, { title: 'detail' }],
    result.invariants.map((i) => [i.name, i.ok ? 'ok' : 'VIOLATED', i.detail]),
  );
  const violations = result.violations.map((v) => `  ${new Date(v.atMs).toISOString()} ${v.invariant}: ${v.detail}`);
  return [
    header,
    '',
    windows,
    '',
    'disturbances:',
    ...what,
    '',
    invariants,
    ...(violations.length > 0 ? ['', 'violations (first 50):', ...violations] : []),
  ].join('\n');
}
