import type { SipResponse, TransportName } from '@presence/sip';
import { ha1ForAll } from '@presence/auth';
import type { DigestCredentialsOptions } from '../test-ua/digest-client.js';
import { createTestUa, type TestUa } from '../test-ua/test-ua.js';
import { afterAll, afterEach, beforeAll } from 'vitest';

/**
 * A running presence service as the behaviour suite sees it: SIP ports per
 * transport. The standalone server and (later) the cluster both provide one.
 * Expected configuration: domain example.com served (and nothing else),
 * min-expires 2, max-expires 3600, SIP T1 50 ms, no NOTIFY rate limit.
 */
export interface PresenceTarget {
  /** The SIP port of the (first) edge for a transport. */
  port(transport: TransportName): number;
  /** All edges' ports for a transport, when there are several: user agents are spread over them. */
  ports?(transport: TransportName): number[];
  /**
   * Present when the target authenticates (digest, realm = domain): creates
   * a user with this password, through the store ports or `presence user add`.
   */
  addUser?(aor: string, password: string): Promise<void>;
  stop(): Promise<void>;
}

export const DOMAIN = 'example.com';
export const MIN_EXPIRES = 2;
export const MAX_EXPIRES = 3600;

export interface UaOptions {
  /** Over the user's own (its password, SHA-256 preferred, nonce reused); null: none, every challenge is returned. */
  readonly credentials?: Partial<DigestCredentialsOptions> | null;
  /** Another device of a user `ua()` already made (its AOR and password), instead of a fresh user. */
  readonly deviceOf?: string;
}

export interface SuiteContext {
  readonly transport: TransportName;
  target(): PresenceTarget;
  /** A user agent for a fresh, test-unique user (created with a password when the target authenticates); closed after the test. */
  ua(name: string, options?: UaOptions): Promise<TestUa>;
  /** The password of a user `ua()` created. */
  passwordOf(aor: string): string;
  /** A fresh, test-unique AOR in the served domain. */
  aor(name: string): string;
}

let unique = 0;
let spread = 0;

/** Starts the target once per transport block and closes each test's user agents after it. */
export function useSuiteContext(transport: TransportName, start: () => Promise<PresenceTarget>): SuiteContext {
  let target: PresenceTarget | undefined;
  let agents: TestUa[] = [];
  beforeAll(async () => {
    target = await start();
  });
  afterAll(async () => {
    await target?.stop();
  });
  afterEach(async () => {
    await Promise.all(agents.map((a) => a.close()));
    agents = [];
  });
  const context: SuiteContext = {
    transport,
    target: () => {
      if (!target) throw new Error('target not started');
      return target;
    },
    aor: (name) => `sip:${name}-${process.pid}-${++unique}@${DOMAIN}`,
    passwordOf: (aor) => `pw:${aor}`,
    async ua(name, options = {}) {
      const target = context.target();
      // Round-robin over the edges: a watcher and a publisher in one test usually meet on different edges.
      const ports = target.ports?.(transport) ?? [target.port(transport)];
      const aor = options.deviceOf ?? context.aor(name);
      if (target.addUser !== undefined && options.deviceOf === undefined) await target.addUser(aor, context.passwordOf(aor));
      const credentials =
        options.credentials === null || (target.addUser === undefined && options.credentials === undefined)
          ? undefined
          : { password: context.passwordOf(aor), ...options.credentials };
      const agent = await createTestUa({
        transport,
        server: { host: '127.0.0.1', port: ports[spread++ % ports.length]! },
        aor,
        credentials,
      });
      agents.push(agent);
      return agent;
    },
  };
  return context;
}

/** The user record of a suite user, as `presence user add` makes it: username = user part, realm = DOMAIN, HA1 per algorithm. */
export function suiteUser(aor: string, password: string) {
  const username = aor.slice('sip:'.length, aor.indexOf('@'));
  return { aor, username, realm: DOMAIN, ha1: ha1ForAll(username, DOMAIN, password), enabled: true };
}

export function pidf(entity: string, tuples: readonly { id: string; basic: 'open' | 'closed'; note?: string }[]): string {
  const body = tuples
    .map((t) => `<tuple id="${t.id}"><status><basic>${t.basic}</basic></status>${t.note ? `<note>${t.note}</note>` : ''}</tuple>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${entity}">${body}</presence>`;
}

export interface PublishOptions {
  body?: string;
  ifMatch?: string;
  expires?: number;
  event?: string | null;
  contentType?: string;
}

/** PUBLISH for `presentity` from `ua` (RFC 3903 §4), with the headers a publisher would send. */
export function publish(ua: TestUa, presentity: string, options: PublishOptions = {}): Promise<SipResponse> {
  const headers: Record<string, string> = {};
  if (options.event !== null) headers.Event = options.event ?? 'presence';
  if (options.ifMatch !== undefined) headers['SIP-If-Match'] = options.ifMatch;
  if (options.body !== undefined) headers['Content-Type'] = options.contentType ?? 'application/pidf+xml';
  return ua.request('PUBLISH', { uri: presentity, headers, body: options.body, expires: options.expires });
}

/** The tuple ids and basic statuses of a PIDF body, in document order. */
export function tuplesOf(body: string): string[] {
  return [...body.matchAll(/<tuple id="([^"]+)"><status><basic>(open|closed)<\/basic>/g)].map((m) => `${m[1]}:${m[2]}`);
}
