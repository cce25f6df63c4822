/**
 * The value of one sample in Prometheus text, e.g. metricValue(text,
 * 'presence_change_bus_messages_total', { direction: 'out' }); 0 when absent
 * (prom-client omits labelled counters never incremented).
 */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = new Map([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (have.size === wanted.length && wanted.every(([k, v]) => have.get(k) === v)) return Number(match[3]);
  }
  return 0;
}

/** Every sample line of metric `name` in Prometheus text, whatever its labels (none when never incremented). */
export function metricSamples(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

/** The sample lines of metric `name` whose value is not 0 (error counters exist at 0 from the start). */
export function nonZeroSamples(text: string, name: string): string[] {
  return metricSamples(text, name).filter((line) => Number(line.slice(line.lastIndexOf(' ') + 1)) !== 0);
}
