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
  { title: 'refresh NOTIFYs', align: 'right' },
  { title: 'refresh 204s', align: 'right' },
  { title: 'bytes/NOTIFY', align: 'right' },
];

/** Every NOTIFY of a step after the initial ones: changes (with or without our timestamp) and the refresh round's. */
export function notifiesOf(s: StepSummary): number {
  return s.notifies + s.notifiesWithoutTimestamp + s.lateNotifies + s.refreshNotifies;
}

/**
 * --watcher-profile (issue #15): what each profile costs on the wire for the
 * same workload, per change (accepted PUBLISH), over its measured steps.
 */
export function profileTable(results: readonly TargetResult[]): string {
  const rows = results.map((result) => {
    let changes = 0;
    let notifies = 0;
    let bytes = 0;
    let refreshNotifies = 0;
    let refreshNoNotify = 0;
    for (const { summary: s } of result.steps) {
      changes += s.publishAccepted;
      notifies += notifiesOf(s);
      bytes += s.notifyBytes;
      refreshNotifies += s.refreshNotifies;
      refreshNoNotify += s.refreshNoNotify;
    }
    const per = (n: number, d: number, digits: number) => (d === 0 ? '-' : (n / d).toFixed(digits));
    // Subscribed watchers: NOTIFYs per change scale with them, so profiles compare only when these match.
    return [result.label, String(result.subscribe.subscribed), String(changes), String(notifies), per(notifies, changes, 2), per(bytes, changes, 0), String(refreshNotifies), String(refreshNoNotify), per(bytes, notifies, 0)];
  });
  return renderTable(PROFILE_COLUMNS, rows);
}
