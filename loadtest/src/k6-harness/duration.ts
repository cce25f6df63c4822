/** k6 duration strings (`30s`, `1m30s`, `250ms`, `1h`) or a number of seconds, in ms; throws when malformed. */
export function parseK6Duration(value: string | number, what: string): number {
  if (typeof value === 'number') return value * 1000;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const unitMs: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001 };
  let total = 0;
  let consumed = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|h|m|s)/g)) {
    if (m.index !== consumed) break;
    total += Number(m[1]) * (unitMs[m[2]!] ?? 0);
    consumed += m[0].length;
  }
  if (consumed === 0 || consumed !== value.length) throw new Error(`${what}: "${value}" is not a duration (e.g. 30s, 1m30s, 250ms)`);
  return total;
}
