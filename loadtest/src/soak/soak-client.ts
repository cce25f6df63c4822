import { buildResponse } from '../sip/build-message.js';
import { preciseNowMs } from '../sip/pidf-timestamp.js';
import { topBranch, type SipMessage } from '../sip/sip-message.js';
import type { Channel, ChannelEvents, Endpoint, TransportName } from '../transport/channel.js';
import { openChannel } from '../transport/open-channel.js';
import { AuthenticatingSender, type AttemptBuilder, type AuthenticatedAs } from '../worker/authenticating-sender.js';
import { TransactionTable } from '../worker/transaction-table.js';
import type { Outcome } from './soak-stats.js';

/** Retransmission and timeout granularity. */
const SWEEP_MS = 50;
/** RFC 3261 T1. */
const T1_MS = 500;

/** What the generator holds and has seen outside the counted requests. */
export interface GeneratorState {
  readonly transactions: number;
  readonly dialogs: number;
  readonly foreignNotifies: number;
  readonly channelsClosed: number;
}

export type NotifyHandler = (message: SipMessage, receivedAtMs: number) => void;

export interface SoakClientOptions {
  readonly transport: TransportName;
  readonly endpoints: readonly Endpoint[];
  readonly localHost: string;
  /** Source ports per endpoint: the population's members share them round-robin. */
  readonly channelsPerEndpoint: number;
  readonly timeoutMs: number;
  /** Prefix of every Call-ID of the run: a NOTIFY for one we have let go is still ours (answered 200, not 481). */
  readonly callIdPrefix: string;
}

/**
 * The soak generator's SIP side: a few channels per server endpoint, the
 * transaction table (retransmissions, timeouts) and NOTIFY routing by
 * Call-ID to the watcher that owns the dialog. Requests resolve to their
 * outcome instead of throwing: a soak counts failures and keeps going.
 */
export class SoakClient {
  private readonly table: TransactionTable;
  private readonly sender: AuthenticatingSender;
  private readonly dialogs = new Map<string, NotifyHandler>();
  private readonly sweeper: NodeJS.Timeout;
  private branches = 0;
  /** NOTIFYs for dialogs of no one: answered 481 (another run's) or 200 (one of ours we let go). */
  foreignNotifies = 0;
  channelsClosed = 0;

  private constructor(
    private readonly options: SoakClientOptions,
    private readonly channels: Channel[][],
  ) {
    this.table = new TransactionTable(T1_MS, options.timeoutMs);
    this.sender = new AuthenticatingSender(this.table, () => `z9hG4bK${options.callIdPrefix}${(++this.branches).toString(36)}`, undefined);
    this.sweeper = setInterval(() => this.table.sweep(preciseNowMs()), SWEEP_MS);
  }

  static async open(options: SoakClientOptions): Promise<SoakClient> {
    let client: SoakClient | undefined;
    const events: ChannelEvents = {
      onMessage: (message, reply) => client?.dispatch(message, reply),
      onUnparsable: () => undefined,
      onClosed: () => void (client !== undefined && client.channelsClosed++),
    };
    const channels = await Promise.all(
      options.endpoints.map((endpoint) =>
        Promise.all(Array.from({ length: options.channelsPerEndpoint }, () => openChannel(options.transport, endpoint, options.localHost, events))),
      ),
    );
    client = new SoakClient(options, channels);
    return client;
  }

  /** Member `key`'s channel: endpoint key mod E (so in a cluster every edge has its share), then a channel of that endpoint. */
  channelFor(key: number): Channel {
    const perEndpoint = this.channels[key % this.channels.length]!;
    return perEndpoint[Math.floor(key / this.channels.length) % perEndpoint.length]!;
  }

  /** Live transactions and dialogs (both bounded by the population), and the counters above. */
  get tracked(): GeneratorState {
    return { transactions: this.table.size, dialogs: this.dialogs.size, foreignNotifies: this.foreignNotifies, channelsClosed: this.channelsClosed };
  }

  request(channel: Channel, as: AuthenticatedAs, build: AttemptBuilder): Promise<{ outcome: Outcome; response?: SipMessage }> {
    return new Promise((resolve) => {
      const sent = this.sender.send(channel, as, build, { challengesAnswered: 0, staleChallenges: 0 }, (response) =>
        resolve(response === undefined ? { outcome: 'timeout' } : { outcome: response.status, response }),
      );
      if (!sent) resolve({ outcome: 'refused' });
    });
  }

  onNotify(callId: string, handler: NotifyHandler): void {
    this.dialogs.set(callId, handler);
  }

  forget(callId: string): void {
    this.dialogs.delete(callId);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.table.abandonAll();
    this.dialogs.clear();
    await Promise.all(this.channels.flat().map((channel) => channel.close()));
  }

  private dispatch(message: SipMessage, reply: (text: string) => void): void {
    const now = preciseNowMs();
    if (message.status > 0) {
      const branch = topBranch(message);
      if (branch !== undefined) this.table.onResponse(branch, message, now);
      return;
    }
    if (message.method === 'ACK') return;
    if (message.method !== 'NOTIFY') return reply(buildResponse(message, 200, 'OK'));
    const handler = this.dialogs.get(message.callId);
    if (handler !== undefined) {
      reply(buildResponse(message, 200, 'OK'));
      return handler(message, now);
    }
    this.foreignNotifies++;
    const ours = message.callId.startsWith(this.options.callIdPrefix);
    reply(ours ? buildResponse(message, 200, 'OK') : buildResponse(message, 481, 'Call/Transaction Does Not Exist'));
  }
}
