import { randomBytes } from 'node:crypto';
import { buildResponse } from '../sip/build-message.js';
import { topBranch, type SipMessage } from '../sip/sip-message.js';
import type { Channel, Endpoint } from '../transport/channel.js';
import { UdpChannel } from '../transport/udp-channel.js';
import { TransactionTable } from '../worker/transaction-table.js';

/** RFC 3261 T1; the client gives a request up after REQUEST_TIMEOUT_MS (the edges answer 503 well before). */
const T1_MS = 500;
const REQUEST_TIMEOUT_MS = 10_000;
const SWEEP_MS = 50;

/** Handles an in-dialog request (NOTIFY) for a Call-ID; returns the status to answer with. */
export type DialogHandler = (request: SipMessage) => number;

/**
 * The client side of the chaos run: UDP sockets towards each edge (kept
 * across edge restarts, as a phone keeps its socket), one transaction table
 * with UDP retransmissions, and NOTIFYs routed by Call-ID. Unknown dialogs
 * get 481 (RFC 6665 §4.1.3), which ends them at the notifier.
 */
export class ChaosSip {
  private readonly table = new TransactionTable(T1_MS, REQUEST_TIMEOUT_MS);
  private readonly dialogs = new Map<string, DialogHandler>();
  private readonly sweeper: NodeJS.Timeout;
  private counter = 0;
  unparsable = 0;

  private constructor(readonly channels: readonly (readonly Channel[])[]) {
    this.sweeper = setInterval(() => this.table.sweep(Date.now()), SWEEP_MS);
  }

  /** `perEdge` sockets to each endpoint. */
  static async open(endpoints: readonly Endpoint[], perEdge: number): Promise<ChaosSip> {
    let sip: ChaosSip | undefined;
    const events = {
      onMessage: (message: SipMessage, reply: (text: string) => void) => sip?.onMessage(message, reply),
      onUnparsable: () => void (sip !== undefined && sip.unparsable++),
      onClosed: () => undefined,
    };
    const channels = await Promise.all(endpoints.map((endpoint) => Promise.all(Array.from({ length: perEdge }, () => UdpChannel.open(endpoint, '127.0.0.1', events)))));
    sip = new ChaosSip(channels);
    return sip;
  }

  /** A channel to edge `edge`, spread by `index`. */
  channel(edge: number, index: number): Channel {
    const sockets = this.channels[edge % this.channels.length]!;
    return sockets[index % sockets.length]!;
  }

  newId(prefix: string): string {
    return `${prefix}${(++this.counter).toString(36)}${randomBytes(4).toString('hex')}`;
  }

  /** Sends the request `build` writes for a fresh branch; resolves with the final response or undefined on timeout. */
  async request(channel: Channel, build: (branch: string) => string): Promise<SipMessage | undefined> {
    return (await this.exchange(channel, build)).response;
  }

  /**
   * The same, telling whether the request may have been retransmitted (its
   * answer took longer than T1): then an earlier copy may have reached a
   * process that died before answering, and been applied.
   */
  exchange(channel: Channel, build: (branch: string) => string): Promise<{ response: SipMessage | undefined; retransmitted: boolean }> {
    const branch = `z9hG4bK${this.newId('c')}`;
    const sentAt = Date.now();
    return new Promise((resolve) => {
      const done = (response: SipMessage | undefined): void => resolve({ response, retransmitted: Date.now() - sentAt >= T1_MS });
      if (!this.table.send(channel, branch, build(branch), sentAt, done)) done(undefined);
    });
  }

  onDialog(callId: string, handler: DialogHandler): void {
    this.dialogs.set(callId, handler);
  }

  forgetDialog(callId: string): void {
    this.dialogs.delete(callId);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.table.abandonAll();
    await Promise.all(this.channels.flat().map((channel) => channel.close()));
  }

  private onMessage(message: SipMessage, reply: (text: string) => void): void {
    if (message.status > 0) {
      const branch = topBranch(message);
      if (branch !== undefined) this.table.onResponse(branch, message, Date.now());
      return;
    }
    const handler = this.dialogs.get(message.callId);
    const status = handler === undefined ? 481 : handler(message);
    reply(buildResponse(message, status, status === 200 ? 'OK' : 'Call/Transaction Does Not Exist'));
  }
}
