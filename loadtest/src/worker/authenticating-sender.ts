import { preciseNowMs } from '../sip/pidf-timestamp.js';
import type { ChallengeCounts } from '../stats/phase-stats.js';
import type { Channel } from '../transport/channel.js';
import type { DigestNonces } from './digest-nonces.js';
import type { Completion } from './transaction-table.js';

/** Where requests go: the worker's TransactionTable, or a fake server in tests. */
export interface RequestSender {
  /** False (and no completion) when the channel refused the send. */
  send(channel: Channel, branch: string, text: string, now: number, done: Completion): boolean;
}

/**
 * Writes one attempt of a request. Each attempt is a new transaction
 * (RFC 3261 §22.2: the answer to a 401 goes with a new branch and the next
 * CSeq), so the builder takes its next CSeq itself; `authorization` is the
 * Authorization value, undefined before the AOR's first challenge.
 */
export type AttemptBuilder = (branch: string, authorization: string | undefined) => string;

/** The request line and identity an attempt is authenticated for. */
export interface AuthenticatedAs {
  readonly aor: string;
  readonly method: string;
  /** digest-uri: the Request-URI. */
  readonly uri: string;
}

/**
 * Sends requests for the watchers and publishers, answering digest
 * challenges when the run authenticates (`nonces` given): a request goes
 * with the AOR's nonce when it has one; a 401 (the first request of an AOR,
 * or its nonce spent: stale=true) is answered once, with the challenge's
 * nonce, and that answer's response is the request's outcome — a second
 * 401, or a 403, is what the caller counts as an error. Without `nonces` a
 * 401 is an outcome like any other.
 */
export class AuthenticatingSender {
  constructor(
    private readonly table: RequestSender,
    private readonly nextBranch: () => string,
    private readonly nonces: DigestNonces | undefined,
  ) {}

  /** False (and no completion) when the channel refused the first attempt. */
  send(channel: Channel, as: AuthenticatedAs, build: AttemptBuilder, counts: ChallengeCounts, done: Completion): boolean {
    const branch = this.nextBranch();
    const text = build(branch, this.nonces?.authorization(as.aor, as.method, as.uri));
    return this.table.send(channel, branch, text, preciseNowMs(), (response) => {
      const nonces = this.nonces;
      if (nonces === undefined || response?.status !== 401) return done(response);
      const adopted = nonces.adopt(as.aor, response.wwwAuthenticate);
      if (adopted === undefined) return done(response);
      counts.challengesAnswered++;
      if (adopted.stale) counts.staleChallenges++;
      const retry = this.nextBranch();
      // A refused retry has no answer: it ends as a timeout would.
      if (!this.table.send(channel, retry, build(retry, nonces.authorization(as.aor, as.method, as.uri)), preciseNowMs(), done)) done(undefined);
    });
  }

  /** Forgets every AOR's nonce (the worker is stopping). */
  clear(): void {
    this.nonces?.clear();
  }
}
