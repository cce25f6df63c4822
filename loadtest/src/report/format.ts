/** 1536 → "1.5K"-style sizes in binary units, for table cells. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '-';
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  for (const unit of ['B', 'K', 'M', 'G']) {
    if (value < 1024 || unit === 'G') return `${sign}${value < 10 && unit !== 'B' ? value.toFixed(1) : value.toFixed(0)}${unit}`;
    value /= 1024;
  }
  return `${sign}${value.toFixed(0)}T`;
}

export function formatMs(ms: number, count = 1): string {
  if (count === 0) return '-';
  return ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}

/** 0.99951 → "99.95%": two decimals, so 99.9% thresholds read plainly. */
export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}

export function formatRate(value: number): string {
  return value < 100 ? value.toFixed(1) : value.toFixed(0);
}

/** Short process names for the RSS column: edge-3 → e3, agent-1 → a1. */
export function shortName(name: string): string {
  return name.replace(/^edge-/, 'e').replace(/^agent-/, 'a').replace(/^standalone$/, 'sa').replace(/^kamailio$/, 'kam');
}

export function ratio(ours: number, theirs: number): string {
  if (!(theirs > 0) || !Number.isFinite(ours)) return 'n/a';
  return `×${(ours / theirs).toFixed(2)}`;
}
