import { describe, expect, it } from 'vitest';
import { presenceServerArgs, serverArgsLine, type BenchTarget } from './bench-target.js';

function target(serverArgs?: readonly string[]): BenchTarget {
  return { kind: serverArgs === undefined ? 'kamailio' : 'standalone', label: serverArgs === undefined ? 'kamailio' : 'standalone', endpoints: () => [], probes: [], ...(serverArgs === undefined ? {} : { serverArgs }), stop: async () => undefined };
}

describe('serverArgsLine', () => {
  it('bench target - names the options our server was started with, so a run says whether the rate limit and overload mode were on', () => {
    const line = serverArgsLine(target(presenceServerArgs(86_400)));
    expect(line).toContain('standalone runs with: ');
    expect(line).toContain('--rate-limit 0');
    expect(line).toContain('every other option at its default');
  });

  it('bench target - says nothing for a target the bench gave no options (Kamailio, an external server)', () => {
    expect(serverArgsLine(target())).toBeUndefined();
  });
});
