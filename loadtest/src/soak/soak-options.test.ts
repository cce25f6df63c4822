import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli/usage-error.js';
import { parseSoakArgs, renderSoakHelp, shortestExpires, SOAK_OPTIONS } from './soak-options.js';

const config = (...argv: string[]) => {
  const parsed = parseSoakArgs(argv);
  if (parsed.help) throw new Error('unexpected --help');
  return parsed.config;
};

describe('soak options', () => {
  it('soak options - no duration given: 5 minutes against standalone, warm-up 90 s, a row per reading', () => {
    expect(config()).toMatchObject({ mode: 'standalone', transport: 'udp', durationS: 300, intervalS: 10, warmupS: 90, rowEvery: 1, maxRssGrowthMb: 24, maxFailurePct: 0.5 });
    expect(config().workload).toMatchObject({ presentities: 100, watchersPerPresentity: 5, publishRate: 50, subscribeExpiresS: 20 });
  });

  it('soak options - --hours and --minutes add up; long runs fold readings into about 40 rows and warm up at most 15 minutes', () => {
    const c = config('--hours', '2', '--minutes', '30', '--mode', 'cluster', '--rate', '20', '--max-rss-growth-mb', '50');
    expect(c).toMatchObject({ durationS: 9000, mode: 'cluster', warmupS: 900, rowEvery: 23, maxRssGrowthMb: 50, edges: 2, agents: 2 });
    expect(c.workload.publishRate).toBe(20);
    expect(config('--minutes', '10').warmupS).toBe(180);
  });

  it('soak options - bad values are usage errors naming the option', () => {
    const error = (...argv: string[]) => {
      try {
        parseSoakArgs(argv);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(error('--mode', 'kamailio')).toMatch(/--mode: expected standalone or cluster/);
    expect(error('--rate', 'fast')).toMatch(/--rate: expected a number, got "fast"/);
    expect(error('--edges', '3')).toMatch(/--edges: only with --mode cluster/);
    expect(error('--minutes', '0.5')).toMatch(/too short/);
    expect(error('--minutes', '2', '--warmup', '100')).toMatch(/--warmup 100: leaves fewer than 3 readings/);
    expect(error('--subscribe-expires', '1')).toMatch(/at least 2/);
    expect(error('--bogus')).toMatch(/bogus/);
  });

  it('soak options - the server is started with --min-expires low enough for the shortest Expires; help lists every option', () => {
    expect(shortestExpires(config('--publish-expires', '8').workload)).toBe(8);
    for (const name of Object.keys(SOAK_OPTIONS)) expect(renderSoakHelp()).toContain(`--${name}`);
    expect(parseSoakArgs(['--help'])).toEqual({ help: true });
  });
});
