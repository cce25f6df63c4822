import { ha1, readDigestCredentials, responseMatches } from '@presence/auth';
import { parseAuthHeader } from '@presence/sip';
import { describe, expect, it } from 'vitest';
import { buildRequest } from '../sip/build-message.js';
import { parseSipMessage, type SipMessage } from '../sip/sip-message.js';
import { emptyStepCounts } from '../stats/phase-stats.js';
import type { Channel } from '../transport/channel.js';
import { AuthenticatingSender, type AttemptBuilder, type AuthenticatedAs, type RequestSender } from './authenticating-sender.js';
import { DigestNonces } from './digest-nonces.js';
import type { Completion } from './transaction-table.js';

const PASSWORD = 'bench-secret';
const REALM = 'example.com';
const ALICE: AuthenticatedAs = { aor: 'sip:alice@example.com', method: 'PUBLISH', uri: 'sip:alice@example.com' };
const BOB: AuthenticatedAs = { aor: 'sip:bob@example.com', method: 'PUBLISH', uri: 'sip:bob@example.com' };
const CHANNEL = { via: 'SIP/2.0/UDP 127.0.0.1:40000' } as Channel;

/** What the fake server saw of one request. */
interface Seen {
  readonly branch: string;
  readonly cseq: number;
  readonly credentials: ReadonlyMap<string, string> | undefined;
}

/**
 * A digest server in miniature, answering synchronously: no credentials or
 * a nonce it did not issue get a 401 with a fresh nonce (one challenge per
 * algorithm it offers); a nonce it has retired gets one with stale=true;
 * credentials are checked against the password's HA1, and the nonce count
 * must rise per nonce (else 403).
 */
class FakeDigestServer implements RequestSender {
  readonly seen: Seen[] = [];
  private issued = 0;
  private readonly lastNc = new Map<string, number>();
  private readonly retired = new Set<string>();

  constructor(
    private readonly algorithms: readonly string[] = ['SHA-256', 'MD5'],
    private readonly password = PASSWORD,
  ) {}

  /** Every nonce issued so far expires: answered with stale=true from now on. */
  expireNonces(): void {
    for (const nonce of this.lastNc.keys()) this.retired.add(nonce);
    this.lastNc.clear();
  }

  send(_channel: Channel, branch: string, text: string, _now: number, done: Completion): boolean {
    const request = parseSipMessage(text)!;
    const line = /^Authorization: (.*)$/m.exec(text)?.[1]?.trimEnd();
    const credentials = line === undefined ? undefined : parseAuthHeader(line).params;
    this.seen.push({ branch, cseq: request.cseq, credentials });
    done(this.answer(request, credentials));
    return true;
  }

  private answer(request: SipMessage, params: ReadonlyMap<string, string> | undefined): SipMessage {
    if (params === undefined) return this.challenge(false);
    const nonce = params.get('nonce')!;
    if (this.retired.has(nonce)) return this.challenge(true);
    const last = this.lastNc.get(nonce);
    if (last === undefined) return this.challenge(false);
    const credentials = readDigestCredentials(params);
    if (!responseMatches(credentials, request.method, ha1(credentials.algorithm, credentials.username, REALM, this.password))) return this.challenge(false);
    const nc = parseInt(credentials.ncText, 16);
    if (nc <= last) return response(403, []);
    this.lastNc.set(nonce, nc);
    return response(200, []);
  }

  private challenge(stale: boolean): SipMessage {
    const nonce = `nonce${++this.issued}`;
    this.lastNc.set(nonce, 0);
    return response(401, this.algorithms.map((a) => `Digest realm="${REALM}", nonce="${nonce}", opaque="op", algorithm=${a}, qop="auth"${stale ? ', stale=true' : ''}`));
  }
}

function response(status: number, challenges: readonly string[]): SipMessage {
  const head = challenges.map((c) => `WWW-Authenticate: ${c}\r\n`).join('');
  return parseSipMessage(`SIP/2.0 ${status} X\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\n${head}Content-Length: 0\r\n\r\n`)!;
}

/** A PUBLISH builder taking the next CSeq per attempt, as the publishers' does. */
function publishOf(as: AuthenticatedAs): AttemptBuilder {
  let cseq = 0;
  return (branch, authorization) =>
    buildRequest({ method: as.method, uri: as.uri, via: CHANNEL.via, branch, from: `<${as.aor}>;tag=1`, to: `<${as.aor}>`, callId: 'c1', cseq: ++cseq, authorization });
}

function harness(server: FakeDigestServer, nonces: DigestNonces | undefined) {
  let branches = 0;
  const sender = new AuthenticatingSender(server, () => `z9hG4bK${++branches}`, nonces);
  const counts = emptyStepCounts();
  const builders = new Map<string, AttemptBuilder>();
  /** Sends one request for `as` and returns the status it ended with. */
  const request = (as: AuthenticatedAs): number | undefined => {
    if (!builders.has(as.aor)) builders.set(as.aor, publishOf(as));
    let status: number | undefined;
    expect(sender.send(CHANNEL, as, builders.get(as.aor)!, counts, (r) => void (status = r?.status))).toBe(true);
    return status;
  };
  return { sender, counts, request };
}

const directive = (seen: Seen | undefined, name: string): string | undefined => seen?.credentials?.get(name);

describe('authenticating sender', () => {
  it('challenge - the first request is answered once with SHA-256; the next ones reuse the nonce with a rising nc and no 401', () => {
    const server = new FakeDigestServer();
    const { counts, request } = harness(server, new DigestNonces(PASSWORD));
    expect(request(ALICE)).toBe(200);
    expect(server.seen).toHaveLength(2);
    const [first, answer] = server.seen;
    expect(first!.credentials).toBeUndefined();
    expect(answer!.branch).not.toBe(first!.branch);
    expect(answer!.cseq).toBe(first!.cseq + 1);
    expect([directive(answer, 'algorithm'), directive(answer, 'nonce'), directive(answer, 'nc'), directive(answer, 'username')]).toEqual(['SHA-256', 'nonce1', '00000001', 'alice']);
    expect(counts).toMatchObject({ challengesAnswered: 1, staleChallenges: 0 });

    expect(request(ALICE)).toBe(200);
    expect(request(ALICE)).toBe(200);
    expect(server.seen).toHaveLength(4);
    expect(server.seen.slice(2).map((s) => [directive(s, 'nonce'), directive(s, 'nc')])).toEqual([
      ['nonce1', '00000002'],
      ['nonce1', '00000003'],
    ]);
    expect(directive(server.seen[3], 'cnonce')).toBe(directive(answer, 'cnonce'));
    expect(counts.challengesAnswered).toBe(1);
  });

  it('challenge - each AOR has its own nonce state: a new AOR is challenged, and counts never mix', () => {
    const server = new FakeDigestServer();
    const nonces = new DigestNonces(PASSWORD);
    const { counts, request } = harness(server, nonces);
    expect(request(ALICE)).toBe(200);
    expect(request(BOB)).toBe(200);
    expect(request(ALICE)).toBe(200);
    expect(server.seen.map((s) => [directive(s, 'username'), directive(s, 'nc')])).toEqual([
      [undefined, undefined],
      ['alice', '00000001'],
      [undefined, undefined],
      ['bob', '00000001'],
      ['alice', '00000002'],
    ]);
    expect(counts.challengesAnswered).toBe(2);
    expect(nonces.size).toBe(2);
    nonces.clear();
    expect(nonces.size).toBe(0);
  });

  it('stale - a spent nonce is answered again with the new one, nc from 1, counted as stale', () => {
    const server = new FakeDigestServer();
    const { counts, request } = harness(server, new DigestNonces(PASSWORD));
    request(ALICE);
    request(ALICE);
    server.expireNonces();
    expect(request(ALICE)).toBe(200);
    const [spent, answer] = server.seen.slice(3);
    expect([directive(spent, 'nonce'), directive(spent, 'nc')]).toEqual(['nonce1', '00000003']);
    expect([directive(answer, 'nonce'), directive(answer, 'nc')]).toEqual(['nonce2', '00000001']);
    expect(counts).toMatchObject({ challengesAnswered: 2, staleChallenges: 1 });
    expect(request(ALICE)).toBe(200);
    expect(directive(server.seen.at(-1), 'nc')).toBe('00000002');
  });

  it('errors - a second 401 for one request (wrong password) ends it with that 401: answered once, never again', () => {
    const server = new FakeDigestServer(['SHA-256', 'MD5'], 'another password');
    const { counts, request } = harness(server, new DigestNonces(PASSWORD));
    expect(request(ALICE)).toBe(401);
    expect(server.seen).toHaveLength(2);
    expect(counts.challengesAnswered).toBe(1);
  });

  it('algorithms - MD5 when it is all that is offered; a challenge we cannot answer is the outcome, not retried', () => {
    const md5 = new FakeDigestServer(['MD5']);
    expect(harness(md5, new DigestNonces(PASSWORD)).request(ALICE)).toBe(200);
    expect(directive(md5.seen[1], 'algorithm')).toBe('MD5');

    const unknown = new FakeDigestServer(['SHA-512-256']);
    const { counts, request } = harness(unknown, new DigestNonces(PASSWORD));
    expect(request(ALICE)).toBe(401);
    expect(unknown.seen).toHaveLength(1);
    expect(counts.challengesAnswered).toBe(0);
  });

  it('no authentication - without nonces a 401 is an outcome like any other', () => {
    const server = new FakeDigestServer();
    const { counts, request } = harness(server, undefined);
    expect(request(ALICE)).toBe(401);
    expect(server.seen).toHaveLength(1);
    expect(counts.challengesAnswered).toBe(0);
  });
});
