import { randomBytes } from 'node:crypto';
import { WebSocket, type RawData } from 'ws';
import { parseSipMessage } from '../sip/sip-message.js';
import type { Channel, ChannelEvents, Endpoint } from './channel.js';

/** RFC 7118 §4.1: the WebSocket subprotocol for SIP (the server refuses others). */
const SIP_SUBPROTOCOL = 'sip';
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

export class WsChannel implements Channel {
  readonly transport = 'ws' as const;
  readonly reliable = true;
  closed = false;
  /** RFC 7118 §5.2: a WebSocket client has no reachable address; it uses a random .invalid host. */
  private readonly local = `${randomBytes(6).toString('hex')}.invalid`;

  private constructor(private readonly ws: WebSocket) {}

  get via(): string {
    return `SIP/2.0/WS ${this.local}`;
  }

  contact(user: string): string {
    return `<sip:${user}@${this.local};transport=ws>`;
  }

  static open(endpoint: Endpoint, events: ChannelEvents): Promise<WsChannel> {
    const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
    const ws = new WebSocket(`ws://${host}:${endpoint.port}`, SIP_SUBPROTOCOL, { perMessageDeflate: false });
    const channel = new WsChannel(ws);
    const reply = (text: string): void => void channel.send(text);
    return new Promise((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => {
        ws.off('error', reject);
        ws.on('error', () => undefined);
        ws.on('message', (data: RawData) => {
          const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
          const message = parseSipMessage(buf.toString('latin1'));
          if (message === undefined) events.onUnparsable();
          else events.onMessage(message, reply, channel);
        });
        ws.on('close', () => {
          if (!channel.closed) events.onClosed(channel, 'websocket closed by the server');
          channel.closed = true;
        });
        resolve(channel);
      });
    });
  }

  send(text: string): boolean {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN || this.ws.bufferedAmount > MAX_QUEUED_BYTES) return false;
    this.ws.send(text);
    return true;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close(1000);
      setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 1000).unref();
    });
  }
}
