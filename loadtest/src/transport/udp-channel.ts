import { createSocket, type Socket } from 'node:dgram';
import { parseSipMessage } from '../sip/sip-message.js';
import { hostForUri, type Channel, type ChannelEvents, type Endpoint } from './channel.js';

/** Asked for; Linux caps it at net.core.rmem_max. A burst of NOTIFYs must not overflow it. */
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

export class UdpChannel implements Channel {
  readonly transport = 'udp' as const;
  readonly reliable = false;
  closed = false;
  private constructor(
    private readonly socket: Socket,
    private readonly endpoint: Endpoint,
    private readonly local: string,
  ) {}

  get via(): string {
    return `SIP/2.0/UDP ${this.local}`;
  }

  contact(user: string): string {
    return `<sip:${user}@${this.local};transport=udp>`;
  }

  static open(endpoint: Endpoint, localHost: string, events: ChannelEvents): Promise<UdpChannel> {
    const socket = createSocket({ type: localHost.includes(':') ? 'udp6' : 'udp4', recvBufferSize: RECEIVE_BUFFER_BYTES, sendBufferSize: RECEIVE_BUFFER_BYTES });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: localHost, port: 0 }, () => {
        socket.off('error', reject);
        const channel = new UdpChannel(socket, endpoint, `${hostForUri(localHost)}:${socket.address().port}`);
        socket.on('error', (error) => events.onClosed(channel, `udp error: ${error.message}`));
        socket.on('message', (data, rinfo) => {
          const message = parseSipMessage(data.toString('latin1'));
          if (message === undefined) return events.onUnparsable();
          events.onMessage(message, (text) => socket.send(Buffer.from(text, 'latin1'), rinfo.port, rinfo.address), channel);
        });
        resolve(channel);
      });
    });
  }

  send(text: string): boolean {
    if (this.closed) return false;
    this.socket.send(Buffer.from(text, 'latin1'), this.endpoint.port, this.endpoint.host);
    return true;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
