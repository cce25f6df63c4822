import type { TargetResult } from '../modes/run-workload.js';
import type { StepSummary } from '../coordinator/load-session.js';
import { renderTable, type Column } from './text-table.js';

const PROFILE_COLUMNS: Column[] = [
  { title: 'target' },
  { title: 'watchers', align: 'right' },
  { title: 'changes', align: 'right' },
  { title: 'NOTIFYs', align: 'right' },
  { title: 'NOTIFY/change', align: 'right' },
  { title: 'bytes/change', align: 'right' },
  { title: 'bytes/NOTIFY', align: 'right' },
  { title: 'refreshes', align: 'right' },
  { title: 'refresh NOTIFYs', align: 'right' },
  { title: 'refresh 204s', align: 'right' },
  { title: 'bytes/refresh', align: 'right' },
];

/** The NOTIFYs of a step's changes (with or without our timestamp), not the initial or refresh ones. */
export function changeNotifiesOf(s: StepSummary): number {
  return s.notifies + s.notifiesWithoutTimestamp + s.lateNotifies;
}

/**
 * --watcher-profile (issue #15): what each profile costs on the wire for the
 * same workload, over its measured steps: per change (accepted PUBLISH), the
 * NOTIFYs it brought and their bytes; per refresh, the NOTIFY bytes it brought
 * (a conditional refresh whose tag matched: none, or a NOTIFY without body).
 */
export function profileTable(results: readonly TargetResult[]): string {
  const rows = results.map((result) => {
    const t = { changes: 0, notifies: 0, bytes: 0, refreshes: 0, refreshNotifies: 0, refreshBytes: 0, refreshNoNotify: 0 };
    for (const { summary: s } of result.steps) {
      t.changes += s.publishAccepted;
      t.notifies += changeNotifiesOf(s);
      t.bytes += s.notifyBytes;
      t.refreshes += s.refreshesSent;
      t.refreshNotifies += s.refreshNotifies;
      t.refreshBytes += s.refreshBytes;
      t.refreshNoNotify += s.refreshNoNotify;
    }
    const per = (n: number, d: number, digits: number) => (d === 0 ? '-' : (n / d).toFixed(digits));
    // Subscribed watchers: NOTIFYs per change scale with them, so profiles compare only when these match.
    return [
      result.label,
      String(result.subscribe.subscribed),
      String(t.changes),
      String(t.notifies),
      per(t.notifies, t.changes, 2),
      per(t.bytes, t.changes, 0),
      per(t.bytes, t.notifies, 0),
      String(t.refreshes),
      String(t.refreshNotifies),
      String(t.refreshNoNotify),
      per(t.refreshBytes, t.refreshes, 0),
    ];
  });
  return renderTable(PROFILE_COLUMNS, rows);
}
