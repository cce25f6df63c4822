import { connect, type Socket } from 'node:net';
import { parseSipMessage } from '../sip/sip-message.js';
import { StreamFramer } from '../sip/stream-framer.js';
import { hostForUri, type Channel, type ChannelEvents, type Endpoint } from './channel.js';

/** Above this much unsent data a send is refused (counted as an error) instead of growing memory. */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

export class TcpChannel implements Channel {
  readonly transport = 'tcp' as const;
  readonly reliable = true;
  closed = false;
  private constructor(
    private readonly socket: Socket,
    private readonly local: string,
  ) {}

  get via(): string {
    return `SIP/2.0/TCP ${this.local}`;
  }

  contact(user: string): string {
    return `<sip:${user}@${this.local};transport=tcp>`;
  }

  static open(endpoint: Endpoint, localHost: string, events: ChannelEvents): Promise<TcpChannel> {
    const socket = connect({ host: endpoint.host, port: endpoint.port, localAddress: localHost });
    socket.setNoDelay(true);
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        const channel = new TcpChannel(socket, `${hostForUri(localHost)}:${socket.localPort ?? 0}`);
        // A list NOTIFY's full state (RFC 4662) of 1,000 members is ~350 kB.
        const framer = new StreamFramer(STREAM_MESSAGE_LIMIT);
        const reply = (text: string): void => void channel.send(text);
        socket.on('data', (chunk: Buffer) => {
          let texts: string[];
          try {
            texts = framer.push(chunk);
          } catch (error) {
            events.onUnparsable();
            socket.destroy(error as Error);
            return;
          }
          for (const text of texts) {
            const message = parseSipMessage(text);
            if (message === undefined) events.onUnparsable();
            else events.onMessage(message, reply, channel);
          }
        });
        socket.on('error', () => undefined);
        socket.on('close', () => {
          if (!channel.closed) events.onClosed(channel, 'tcp connection closed by the server');
          channel.closed = true;
        });
        resolve(channel);
      });
    });
  }

  send(text: string): boolean {
    if (this.closed || this.socket.writableLength > MAX_QUEUED_BYTES) return false;
    this.socket.write(Buffer.from(text, 'latin1'));
    return true;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
  }
}

/** Largest SIP message a bench TCP channel takes. */
const STREAM_MESSAGE_LIMIT = 1024 * 1024;
