import { createTestUa, sleep, type ClusterEdge, type TestUa } from '@presence/testkit';
import { DOMAIN, pidf, publish } from '@presence/testkit/behaviour';
import type { SipResponse, TransportName } from '@presence/sip';

export interface Traffic {
  /** Rounds of the steady load so far. */
  readonly rounds: number;
  /** Requests of the steady load that got an answer they should not have. */
  readonly failures: readonly string[];
  /** Ends the steady load and closes every user agent. */
  stop(): Promise<void>;
}

export interface TrafficOptions {
  /** The edges' --min-expires: the shortest subscription and publication, made to lapse. */
  readonly shortExpires: number;
  /** Pause between two PUBLISHes of the steady load. */
  readonly publishEveryMs: number;
}

const PRESENTITIES = 3;
const LONG_EXPIRES = 600;
/** Every this many rounds a watcher refreshes its registration. */
const REGISTER_EVERY_ROUNDS = 10;

/**
 * Use of the cluster that leaves a mark on every dashboard panel: watchers on
 * every edge (a TCP one on the first, a WebSocket one on the others) register
 * and subscribe to the same presentities, so each change crosses the bus to
 * each edge; 4xx answers (an unknown event package, a stale entity-tag); a
 * subscription and a publication left to lapse (expiry counters); then a
 * steady PUBLISH loop that modifies the presentities in turn, with
 * registration refreshes, until stop().
 */
export async function startTraffic(edges: readonly ClusterEdge[], options: TrafficOptions): Promise<Traffic> {
  const uas: TestUa[] = [];
  const ua = async (edge: ClusterEdge, transport: TransportName, name: string): Promise<TestUa> => {
    const port = transport === 'ws' ? edge.wsPort : edge.sipPort;
    const agent = await createTestUa({ transport, server: { host: '127.0.0.1', port }, aor: aor(name) });
    uas.push(agent);
    return agent;
  };
  try {
    const presentities = Array.from({ length: PRESENTITIES }, (_, i) => aor(`presentity-${i}`));
    const watchers = await Promise.all(edges.map((edge, i) => ua(edge, i === 0 ? 'tcp' : 'ws', `watcher-${i}`)));
    for (const watcher of watchers) {
      expectStatus(await watcher.request('REGISTER', { expires: LONG_EXPIRES }), 200, 'REGISTER');
      for (const presentity of presentities) expectStatus((await watcher.subscribe(presentity, { expires: LONG_EXPIRES })).response, 200, 'SUBSCRIBE');
    }
    const publisher = await ua(edges[0]!, 'udp', 'publisher');
    const etags = new Map<string, string>();
    for (const presentity of presentities) etags.set(presentity, etagOf(await publish(publisher, presentity, { body: document(presentity, 0), expires: LONG_EXPIRES })));

    expectStatus((await watchers[0]!.subscribe(presentities[0]!, { event: 'no-such-package' })).response, 489, 'SUBSCRIBE of an unknown event package');
    expectStatus(await publish(publisher, presentities[0]!, { ifMatch: 'no-such-etag', expires: LONG_EXPIRES }), 412, 'PUBLISH with a stale entity-tag');
    const lapsing = aor('lapsing');
    expectStatus((await watchers[0]!.subscribe(lapsing, { expires: options.shortExpires })).response, 200, 'short SUBSCRIBE');
    expectStatus(await publish(publisher, lapsing, { body: document(lapsing, 0), expires: options.shortExpires }), 200, 'short PUBLISH');

    return steadyLoad(uas, watchers, publisher, etags, options.publishEveryMs);
  } catch (error) {
    await Promise.allSettled(uas.map((u) => u.close()));
    throw error;
  }
}

function steadyLoad(uas: TestUa[], watchers: TestUa[], publisher: TestUa, etags: Map<string, string>, pauseMs: number): Traffic {
  const presentities = [...etags.keys()];
  const failures: string[] = [];
  let rounds = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const presentity = presentities[rounds % presentities.length]!;
      try {
        const response = await publish(publisher, presentity, { body: document(presentity, rounds + 1), ifMatch: etags.get(presentity), expires: LONG_EXPIRES });
        etags.set(presentity, etagOf(response));
        if (rounds % REGISTER_EVERY_ROUNDS === 0) {
          const watcher = watchers[(rounds / REGISTER_EVERY_ROUNDS) % watchers.length]!;
          expectStatus(await watcher.request('REGISTER', { expires: LONG_EXPIRES }), 200, 'REGISTER refresh');
        }
      } catch (error) {
        failures.push(`round ${rounds}: ${(error as Error).message}`);
      }
      rounds++;
      await sleep(pauseMs);
    }
  })();
  return {
    get rounds() {
      return rounds;
    },
    failures,
    async stop() {
      stopped = true;
      await loop;
      await Promise.allSettled(uas.map((u) => u.close()));
    },
  };
}

let unique = 0;
function aor(name: string): string {
  return `sip:dash-${name}-${process.pid}-${++unique}@${DOMAIN}`;
}

/** A PIDF document that differs from round to round, so every PUBLISH is a change. */
function document(presentity: string, round: number): string {
  return pidf(presentity, [{ id: 't', basic: round % 2 === 0 ? 'open' : 'closed', note: `round ${round}` }]);
}

function expectStatus(response: SipResponse, status: number, what: string): void {
  if (response.status !== status) throw new Error(`${what}: ${response.status} ${response.reason}, expected ${status}`);
}

function etagOf(response: SipResponse): string {
  expectStatus(response, 200, 'PUBLISH');
  const etag = response.header('sip-etag');
  if (etag === undefined) throw new Error('PUBLISH: 200 without SIP-ETag');
  return etag;
}
