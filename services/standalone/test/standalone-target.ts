import { LocalBus } from '@presence/bus';
import { createSubjects } from '@presence/contracts';
import { systemClock, type Store } from '@presence/core';
import { DEFAULT_DIGEST_AUTH, type EdgeConfig } from '@presence/edge';
import { silentLogger } from '@presence/runtime';
import type { TransportName } from '@presence/sip';
import { createMemoryStore } from '@presence/store';
import { startStandalone, type Standalone, type StandaloneOptions } from '../src/index.js';
import { announcePresRules, DOMAIN, MAX_EXPIRES, MIN_EXPIRES, suiteUser, type AuthorizingTarget, type PresenceTarget } from '@presence/testkit/behaviour';
import { createTestUa, sharedTestCertificate, type TestUa } from '@presence/testkit';

/** The edge configuration the behaviour suite expects (see PresenceTarget). */
export function suiteEdgeConfig(overrides: Partial<EdgeConfig> = {}): EdgeConfig {
  const expires = { min: MIN_EXPIRES, max: MAX_EXPIRES, default: 3600 };
  return {
    edgeId: `test-${process.pid}`,
    listen: [
      { transport: 'udp', host: '127.0.0.1', port: 0 },
      { transport: 'tcp', host: '127.0.0.1', port: 0 },
      { transport: 'ws', host: '127.0.0.1', port: 0 },
      { transport: 'tls', host: '127.0.0.1', port: 0 },
      { transport: 'wss', host: '127.0.0.1', port: 0 },
    ],
    tls: sharedTestCertificate(), // the test UA trusts it
    domains: [DOMAIN],
    partitionCount: 16,
    publishExpires: expires,
    subscribeExpires: expires,
    registerExpires: expires,
    notifyMinIntervalMs: 0,
    agentTimeoutMs: 2000,
    agentRetryBudgetMs: 1000,
    retryAfterSeconds: 5,
    sipT1Ms: 50,
    auth: 'none',
    // The shipped defaults (--max-contacts-per-aor etc.): the suite stays far below them.
    limits: { maxContactsPerAor: 10, maxSubscriptionsPerWatcher: 1000, maxSubscriptionsPerAddress: 10000 },
    ...overrides,
  };
}

export interface StandaloneTarget extends PresenceTarget {
  readonly server: Standalone;
}

export interface StandaloneTargetOptions extends Partial<StandaloneOptions> {
  /** Digest authentication (the defaults, realm = domain), users put in the store through its UserStore port. */
  readonly auth?: 'digest';
}

/** A standalone server on ephemeral ports, configured as the behaviour suite expects; without authentication unless asked. */
export async function startStandaloneTarget(options: StandaloneTargetOptions = {}): Promise<StandaloneTarget> {
  const { auth, ...rest } = options;
  const store: Store | undefined = auth === 'digest' ? (rest.store ?? (await createMemoryStore({ clock: rest.clock ?? systemClock }))) : rest.store;
  const edge = rest.edge ?? suiteEdgeConfig(auth === 'digest' ? { auth: DEFAULT_DIGEST_AUTH } : {});
  // The suite is about SIP behaviour, not authorization: every watcher sees every presentity unless a test says otherwise.
  const server = await startStandalone({ logger: silentLogger, defaultSubHandling: 'allow', ...rest, edge, store });
  return {
    server,
    port(transport: TransportName) {
      const listener = server.sip.find((l) => l.transport === transport);
      if (!listener) throw new Error(`no ${transport} listener`);
      return listener.port;
    },
    addUser: auth === 'digest' && store !== undefined ? (aor, password) => store.putUser(suiteUser(aor, password)) : undefined,
    stop: () => server.stop(),
  };
}

/**
 * A standalone server with the shipped authorization default (confirm) whose
 * pres-rules a test writes through the store and announces on the bus, as
 * the XCAP server does.
 */
export async function startAuthorizingStandaloneTarget(options: StandaloneTargetOptions = {}): Promise<AuthorizingTarget & StandaloneTarget> {
  const store = options.store ?? (await createMemoryStore({ clock: options.clock ?? systemClock }));
  const bus = options.bus ?? new LocalBus();
  const target = await startStandaloneTarget({ defaultSubHandling: 'confirm', ...options, store, bus });
  const subjects = createSubjects(options.subjectPrefix);
  return { ...target, writePresRules: (owner, document) => announcePresRules(store, bus, subjects, owner, document) };
}

/** One test's standalone target and the UDP test UAs talking to it, stopped together after the test. */
export class TargetSession {
  private readonly agents: TestUa[] = [];
  private current: StandaloneTarget | undefined;

  async start(options: StandaloneTargetOptions = {}): Promise<StandaloneTarget> {
    this.current = await startStandaloneTarget(options);
    return this.current;
  }

  async ua(aor: string): Promise<TestUa> {
    if (this.current === undefined) throw new Error('start the target first');
    const agent = await createTestUa({ transport: 'udp', server: { host: '127.0.0.1', port: this.current.port('udp') }, aor });
    this.agents.push(agent);
    return agent;
  }

  async stop(): Promise<void> {
    await Promise.all(this.agents.splice(0).map((a) => a.close()));
    await this.current?.stop();
    this.current = undefined;
  }
}
