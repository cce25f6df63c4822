import { abuseRequest, DOMAIN, pidf } from '@presence/testkit/behaviour';
import { applyMutations, FuzzTarget, FuzzUdp, fuzzAssertAsync, mutations, overTcp, serverErrors, type Mutation } from '@presence/testkit/fuzz';
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Property: no mutation of a valid REGISTER, PUBLISH or SUBSCRIBE makes the
 * server answer 5xx, and none stops it. Mutated requests go over real
 * sockets to a `presence standalone` process (built dist/); at the end the
 * process still runs, answers OPTIONS and REGISTER, and counted no internal
 * error. Fixed seeds: a failure replays, and fast-check shrinks it to the
 * one message that causes it. `npm run fuzz -- --target sip` runs it longer.
 */
const SEED = 20261129;
const UDP_RUNS = 50; // batches of up to BATCH messages: about 3 000 in all
const TCP_RUNS = 10;
const BATCH = 200;
const TCP_BATCH = 20;
const MAX_WHITESPACE = 30_000;

interface MutatedRequest {
  readonly method: 'REGISTER' | 'PUBLISH' | 'SUBSCRIBE';
  readonly fetch: boolean;
  readonly mutations: readonly Mutation[];
}

const mutatedRequest: fc.Arbitrary<MutatedRequest> = fc.record({
  method: fc.constantFrom('REGISTER' as const, 'PUBLISH' as const, 'SUBSCRIBE' as const),
  fetch: fc.boolean(),
  mutations: mutations(3, MAX_WHITESPACE),
});

let users = 0;

/** A valid request of the kind, from `transport` at `port`, then its mutations. */
function build(request: MutatedRequest, transport: 'UDP' | 'TCP', port: number): Buffer {
  const user = `fuzz-${process.pid}-${++users}`;
  const aor = `sip:${user}@${DOMAIN}`;
  const contact = `Contact: <sip:${user}@127.0.0.1:${port}>`;
  const expires = `Expires: ${request.fetch ? 0 : 60}`;
  const base =
    request.method === 'REGISTER'
      ? abuseRequest('REGISTER', { transport, sentBy: `127.0.0.1:${port}`, extra: [contact, expires] }, (t) => t.replace(/<sip:(raw|server)@example\.com>/g, `<${aor}>`))
      : request.method === 'PUBLISH'
        ? abuseRequest('PUBLISH', { transport, sentBy: `127.0.0.1:${port}`, uri: aor, extra: ['Content-Type: application/pidf+xml'], body: pidf(aor, [{ id: 't1', basic: 'open', note: 'fuzz' }]) })
        : abuseRequest('SUBSCRIBE', { transport, sentBy: `127.0.0.1:${port}`, uri: aor, extra: [contact, 'Accept: application/pidf+xml'] }, (t) => t.replace('Expires: 60', expires));
  return applyMutations(Buffer.from(base, 'utf8'), request.mutations);
}

describe('mutated requests against a standalone process', () => {
  let target: FuzzTarget;

  beforeAll(async () => {
    target = await FuzzTarget.start('fuzz-mutated');
  });
  afterAll(async () => {
    await target?.stop();
  });

  const alive = () => expect(target.exitReport()).toBeUndefined();
  // Once the server is gone every run fails: shrinking would only find a trivial batch. Skipping
  // those runs leaves the batch that stopped it as the counterexample, next to the server's stderr.
  const serverRuns = () => fc.pre(target.exitReport() === undefined);

  it('fuzz - no mutated REGISTER, PUBLISH or SUBSCRIBE over UDP gets 5xx or stops the server', async () => {
    const udp = await FuzzUdp.open();
    try {
      await fuzzAssertAsync(
        'mutated requests over UDP',
        fc.asyncProperty(fc.array(mutatedRequest, { minLength: 1, maxLength: BATCH, size: 'max' }), async (batch) => {
          serverRuns();
          const before = udp.responses.length;
          await udp.sendAll(batch.map((r) => build(r, 'UDP', udp.port)), target.sipPort);
          alive();
          const errors = serverErrors(udp.responses.slice(before));
          expect(errors, errors.join('\n---\n')).toEqual([]);
        }),
        SEED,
        UDP_RUNS,
      );
      // Many mutations still leave a request to answer: the server saw the traffic.
      expect(udp.responses.length).toBeGreaterThan(udp.sent * 0.3);
    } finally {
      await udp.close();
    }
  });

  it('fuzz - nor over TCP, one connection per request', async () => {
    await fuzzAssertAsync(
      'mutated requests over TCP',
      fc.asyncProperty(fc.array(mutatedRequest, { minLength: 1, maxLength: TCP_BATCH, size: 'max' }), async (batch) => {
        serverRuns();
        const responses = await overTcp(batch.map((r) => build(r, 'TCP', 5999)), target.sipPort);
        alive();
        const errors = serverErrors(responses);
        expect(errors, errors.join('\n---\n')).toEqual([]);
      }),
      SEED + 1,
      TCP_RUNS,
    );
  });

  it('fuzz - afterwards the process runs, answers OPTIONS and REGISTER, counted no internal error, and its RSS is under the bound', async () => {
    expect(await target.healthProblems()).toEqual([]);
  });
});
