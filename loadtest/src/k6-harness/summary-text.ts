import type { RunSummary } from './run-test.js';

/** The end-of-test summary in k6's layout: checks, then one line per metric, ✓/✗ for thresholds. */
export function formatSummary(summary: RunSummary): string {
  const lines: string[] = [];
  for (const check of summary.root_group.checks) {
    const total = check.passes + check.fails;
    lines.push(`     ${check.fails === 0 ? '✓' : '✗'} ${check.group ? `${check.group} ` : ''}${check.name}${check.fails === 0 ? '' : `  ↳ ${Math.round((check.passes / total) * 100)}% — ✓ ${check.passes} / ✗ ${check.fails}`}`);
  }
  if (lines.length > 0) lines.push('');
  const names = Object.keys(summary.metrics).sort();
  const width = Math.max(0, ...names.map((n) => n.length)) + 2;
  for (const name of names) {
    const metric = summary.metrics[name]!;
    const mark = metric.thresholds === undefined ? ' ' : Object.values(metric.thresholds).every((t) => t.ok) ? '✓' : '✗';
    const values = Object.entries(metric.values)
      .map(([key, value]) => `${key}=${formatValue(value, metric.contains === 'time' && key !== 'count' && key !== 'rate')}`)
      .join(' ');
    lines.push(`   ${mark} ${name.padEnd(width, '.')}: ${values}`);
    for (const [source, result] of Object.entries(metric.thresholds ?? {})) lines.push(`       ${result.ok ? '✓' : '✗'} ${source}`);
  }
  for (const [error, count] of Object.entries(summary.iterationErrors)) lines.push(`   iterations failed ${count}×: ${error}`);
  if (summary.aborted !== undefined) lines.push(`   test aborted: ${summary.aborted}`);
  if (summary.thresholdsFailed) lines.push('   thresholds crossed');
  return `${lines.join('\n')}\n`;
}

function formatValue(value: number, time: boolean): string {
  if (time) return value >= 1000 ? `${(value / 1000).toFixed(2)}s` : `${value.toFixed(2)}ms`;
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}
