import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from './bench-options.js';
import { UsageError } from './usage-error.js';

const config = (...argv: string[]) => {
  const parsed = parseBenchArgs(argv);
  if (parsed.help) throw new Error('unexpected --help');
  return parsed.config;
};

describe('bench options', () => {
  it('bench options - the documented example parses; defaults fill the rest', () => {
    const c = config('--mode', 'standalone', '--presentities', '100', '--watchers', '10', '--rate', '200', '--duration', '5');
    expect(c).toMatchObject({ run: 'bench', mode: 'standalone', transport: 'udp', presentities: 100, watchers: 10, rate: 200, durationS: 5, register: true });
  });

  it('bench options - memory mode: N subscriptions over N/W presentities, no REGISTER; --big is 1M', () => {
    expect(config('--memory', '--subscriptions', '1000')).toMatchObject({ run: 'memory', presentities: 100, watchers: 10, register: false });
    expect(config('--memory', '--big').memory.subscriptions).toBe(1_000_000);
  });

  it('bench options - --server-workers starts the standalone server with --workers N, also under --compare; standalone only', () => {
    expect(config().serverWorkers).toBe(1);
    expect(config('--mode', 'standalone', '--compare', '--server-workers', '2')).toMatchObject({ compare: true, serverWorkers: 2 });
    expect(() => config('--mode', 'cluster', '--server-workers', '2')).toThrow(/--server-workers: only with --mode standalone/);
    expect(() => config('--server-workers', '0')).toThrow(UsageError);
  });

  it('bench options - the warm-up gives every presentity one PUBLISH at the first rate unless set; 0 turns it off', () => {
    expect(config('--presentities', '1000', '--rate', '300').warmupS).toBe(5);
    expect(config('--presentities', '100', '--rate', '1000').warmupS).toBe(2);
    expect(config('--warmup', '0').warmupS).toBe(0);
    expect(config('--warmup', '7.5').warmupS).toBe(7.5);
  });

  it('bench options - --watcher-profile takes a comma list of full, partial, filtered, conditional; native publish runs only', () => {
    expect(config().watcherProfiles).toEqual([]);
    expect(config('--watcher-profile', 'full, filtered,conditional').watcherProfiles).toEqual(['full', 'filtered', 'conditional']);
    expect(() => config('--watcher-profile', 'full,everything')).toThrow(UsageError);
    expect(() => config('--watcher-profile', 'full,full')).toThrow(/named twice/);
    expect(() => config('--watcher-profile', 'partial', '--generator', 'sipp')).toThrow(/native generator/);
    expect(() => config('--watcher-profile', 'partial', '--memory')).toThrow(UsageError);
    expect(config().statusEvery).toBe(1);
    expect(config('--status-every', '4').statusEvery).toBe(4);
    expect(() => config('--status-every', '0')).toThrow(UsageError);
  });

  it('bench options - --pidf-size is small unless rich is asked for; native publish runs only', () => {
    expect(config().pidfSize).toBe('small');
    expect(config('--pidf-size', 'rich', '--watcher-profile', 'partial').pidfSize).toBe('rich');
    expect(() => config('--pidf-size', 'huge')).toThrow(/--pidf-size/);
    expect(() => config('--pidf-size', 'rich', '--generator', 'sipp')).toThrow(/--pidf-size: a publish workload with the native generator/);
    expect(() => config('--pidf-size', 'rich', '--workload', 'rls')).toThrow(/--pidf-size/);
  });

  it('bench options - --auth is none unless digest is asked for, against standalone or cluster', () => {
    expect(config().auth).toBe('none');
    expect(config('--auth', 'digest').auth).toBe('digest');
    expect(config('--mode', 'cluster', '--auth', 'digest', '--find-max').auth).toBe('digest');
  });

  it('bench options - --workload message: publish by default; message with --messages, refused with --memory, --find-max or an external target', () => {
    expect(config().workload).toBe('publish');
    expect(config('--workload', 'message', '--messages', '500', '--mode', 'cluster', '--compare')).toMatchObject({ workload: 'message', messages: 500, mode: 'cluster', compare: true });
    expect(() => config('--workload', 'message', '--memory')).toThrow(/--workload message/);
    expect(() => config('--workload', 'message', '--find-max')).toThrow(/--workload message/);
    expect(() => config('--workload', 'message', '--target', '127.0.0.1:5060')).toThrow(/--workload message/);
    expect(() => config('--workload', 'chat')).toThrow(/--workload/);
  });

  it('bench options - --generator is native unless sipp or both is asked for; SIPp runs UDP only, without digest, memory or unsubscribe', () => {
    expect(config().generator).toBe('native');
    expect(config('--generator', 'sipp', '--find-max').generator).toBe('sipp');
    expect(config('--compare', '--generator', 'both')).toMatchObject({ compare: true, generator: 'both' });
    expect(() => config('--generator', 'k6')).toThrow(/--generator: expected one of native, sipp, both, got "k6"/);
    expect(() => config('--generator', 'sipp', '--transport', 'tcp')).toThrow(/UDP only/);
    expect(() => config('--generator', 'both', '--auth', 'digest')).toThrow(/digest/);
    expect(() => config('--generator', 'sipp', '--memory')).toThrow(/memory mode is native only/);
    expect(() => config('--generator', 'sipp', '--unsubscribe')).toThrow(/--unsubscribe is native only/);
  });

  it('bench options - --target implies an external target', () => {
    expect(config('--target', '127.0.0.1:5070', '--metrics-url', 'http://127.0.0.1:9464/metrics')).toMatchObject({
      mode: 'external',
      target: { host: '127.0.0.1', port: 5070 },
      metricsUrls: ['http://127.0.0.1:9464/metrics'],
    });
  });

  it('bench options - --pres-rules allow-domain for the servers the bench starts; none by default', () => {
    expect(config().presRules).toBe('none');
    expect(config('--mode', 'cluster', '--pres-rules', 'allow-domain').presRules).toBe('allow-domain');
  });

  it('bench options - usage errors name the option', () => {
    const cases: [string[], RegExp][] = [
      [['--rate', 'fast'], /--rate/],
      [['--watchers', '0'], /--watchers: must be at least 1/],
      [['--transport', 'sctp'], /--transport/],
      [['--mode', 'kamailio', '--transport', 'ws'], /--transport ws/],
      [['--edges', '3'], /--edges: only with --mode cluster/],
      [['--target', 'nohost'], /--target: expected HOST:PORT/],
      [['--target', '127.0.0.1:5060', '--mode', 'cluster'], /--target/],
      [['--big'], /--big/],
      [['--memory', '--warmup', '3'], /--warmup: memory mode/],
      [['--warmup=-1'], /--warmup: must be at least 0/],
      [['--compare', '--mode', 'kamailio'], /--compare/],
      [['--auth', 'basic'], /--auth: expected one of none, digest/],
      [['--pres-rules', 'allow-all'], /--pres-rules: expected one of none, allow-domain/],
      [['--pres-rules', 'allow-domain', '--mode', 'kamailio'], /--pres-rules allow-domain: .*not --mode kamailio/],
      [['--auth', 'digest', '--mode', 'kamailio'], /--auth digest: .*not --mode kamailio/],
      [['--auth', 'digest', '--target', '127.0.0.1:5060'], /--auth digest: .*not --mode external/],
      [['--auth', 'digest', '--compare'], /--auth digest: the Kamailio reference/],
      [['--auth', 'digest', '--memory'], /--auth digest: memory mode/],
      [['--frobnicate'], /frobnicate/],
    ];
    for (const [argv, message] of cases) {
      expect(() => parseBenchArgs(argv), argv.join(' ')).toThrow(UsageError);
      expect(() => parseBenchArgs(argv), argv.join(' ')).toThrow(message);
    }
    expect(parseBenchArgs(['--help'])).toEqual({ help: true });
  });

  it('bench options - creation workloads and --targets: the first step is --rate or --creation-rate (500 with --targets), steps double unless --ramp', () => {
    expect(config('--workload', 'publish-new', '--rate', '800')).toMatchObject({ workload: 'publish-new', targets: false, creation: { startRate: 800, factor: 2 } });
    expect(config('--workload', 'subscribe-setup', '--creation-rate', '300', '--ramp', '1.5').creation).toEqual({ startRate: 300, factor: 1.5 });
    expect(config('--targets', '--compare', '--generator', 'both', '--rate', '250')).toMatchObject({ workload: 'publish', targets: true, rate: 250, creation: { startRate: 500, factor: 2 } });
    expect(config('--find-max').findMax.ramp).toBe(1.5);
  });

  it('bench options - creation workloads and --targets run over UDP without digest or --memory; --creation-rate needs one of them', () => {
    expect(() => config('--workload', 'publish-new', '--transport', 'tcp')).toThrow(/--workload publish-new: the creation workloads run over UDP only/);
    expect(() => config('--targets', '--auth', 'digest')).toThrow(/--targets: the creation workloads do not answer digest challenges/);
    expect(() => config('--workload', 'subscribe-setup', '--memory')).toThrow(/not with --memory/);
    expect(() => config('--targets', '--workload', 'message')).toThrow(/--targets: runs the publish \(fan-out\) workload/);
    expect(() => config('--creation-rate', '100')).toThrow(/--creation-rate: only with --targets/);
    expect(() => config('--targets', '--watcher-profile', 'full')).toThrow(/--targets: the targets are those of plain watchers/);
  });
});
