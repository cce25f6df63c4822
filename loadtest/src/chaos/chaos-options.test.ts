import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli/usage-error.js';
import { DEFAULT_CHAOS_CONFIG, parseChaosArgs, renderChaosHelp } from './chaos-options.js';

const configOf = (argv: string[]) => {
  const parsed = parseChaosArgs(argv);
  if (parsed.help) throw new Error('unexpected --help');
  return parsed.config;
};

describe('npm run chaos options', () => {
  it('defaults to the full schedule on single servers with Redis AOF fsynced on every write', () => {
    expect(configOf([])).toEqual(DEFAULT_CHAOS_CONFIG);
    expect(DEFAULT_CHAOS_CONFIG).toMatchObject({ presentities: 200, watchers: 5, redisFsync: 'always', redisCluster: false, natsCluster: false });
    expect(DEFAULT_CHAOS_CONFIG.schedule).toEqual(['agent-kill', 'edge-kill', 'nats-restart', 'redis-restart', 'agent-stall']);
  });

  it('reads the issue options: clusters, P, W, rate, gap, and a chosen schedule in its order', () => {
    const config = configOf(['--redis-cluster', '--nats-cluster', '--presentities', '50', '--watchers', '3', '--rate', '12.5', '--gap', '4', '--only', 'redis-restart,edge-kill', '--redis-appendfsync', 'everysec']);
    expect(config).toMatchObject({ redisCluster: true, natsCluster: true, presentities: 50, watchers: 3, rate: 12.5, gapS: 4, schedule: ['redis-restart', 'edge-kill'], redisFsync: 'everysec' });
  });

  it.each([
    [['--presentities', '0'], /--presentities needs an integer >= 1 \(got 0\)/],
    [['--watchers', '2.5'], /--watchers needs an integer >= 1 \(got 2.5\)/],
    [['--rate'], /--rate needs a number >= 1 \(got nothing\)/],
    [['--agents', '1'], /--agents needs an integer >= 2/],
    [['--only', 'edge-kill,meteor'], /unknown disturbance "meteor" \(known: agent-kill, edge-kill/],
    [['--fast'], /unknown option --fast/],
    [['--redis-appendfsync', 'sometimes'], /--redis-appendfsync needs one of always, everysec, none \(got sometimes\)/],
  ])('refuses %j with a UsageError naming the problem', (argv, message) => {
    expect(() => parseChaosArgs(argv)).toThrow(UsageError);
    expect(() => parseChaosArgs(argv)).toThrow(message);
  });

  it('lists every option in --help', () => {
    expect(parseChaosArgs(['--help'])).toEqual({ help: true });
    for (const flag of ['--redis-cluster', '--nats-cluster', '--redis-appendfsync', '--only', '--presentities', '--watchers', '--rate', '--gap', '--delay-threshold']) {
      expect(renderChaosHelp()).toContain(flag);
    }
  });
});
