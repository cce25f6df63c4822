import { once } from 'node:events';
import { isUtf8 } from 'node:buffer';
import { WebSocket } from 'ws';
import { createInbox, rawTcp, rawTls, rawUdp } from '../raw-peers.js';
import type { TortureTransport } from './torture-case.js';

/** One client of the server over one transport, sending bytes as they are. */
export interface TorturePeer {
  readonly transport: TortureTransport;
  /** The Via sent-by that gets answers back to this peer. */
  readonly sentBy: string;
  send(message: Buffer): void;
  /** The next message received (whole), or rejects after `ms`. */
  next(ms: number): Promise<string>;
  /** Resolves if nothing arrives within `ms`, else rejects naming what came. */
  silence(ms: number): Promise<void>;
  /** True once the server closed the connection (never for UDP). */
  readonly closed: boolean;
  close(): Promise<void>;
}

/** Opens a peer to `port` on 127.0.0.1; tls and wss do not verify the (throwaway) certificate. */
export async function openTorturePeer(transport: TortureTransport, port: number): Promise<TorturePeer> {
  if (transport === 'udp') {
    const udp = await rawUdp();
    return { transport, sentBy: `127.0.0.1:${udp.port}`, send: (m) => udp.send(m, port), next: (ms) => udp.next(ms), silence: (ms) => udp.silence(ms), closed: false, close: () => udp.close() };
  }
  if (transport === 'tcp' || transport === 'tls') {
    const stream = transport === 'tcp' ? await rawTcp(port) : await rawTls(port);
    let closed = false;
    void stream.closed.then(() => (closed = true));
    return {
      transport, sentBy: 'client.invalid', send: (m) => stream.send(m), next: (ms) => stream.next(ms), silence: (ms) => stream.silence(ms),
      get closed() {
        return closed;
      },
      close: () => stream.close(),
    };
  }
  return openWsPeer(transport, port);
}

async function openWsPeer(transport: 'ws' | 'wss', port: number): Promise<TorturePeer> {
  const ws = new WebSocket(`${transport}://127.0.0.1:${port}`, 'sip', { rejectUnauthorized: false });
  const inbox = createInbox();
  let closed = false;
  ws.on('message', (data: Buffer) => inbox.push(data.toString('utf8')));
  ws.on('close', () => (closed = true));
  ws.on('error', () => undefined);
  await once(ws, 'open');
  return {
    transport,
    sentBy: 'client.invalid',
    // RFC 7118 §5.1: text frames carry UTF-8; anything else goes as a binary frame.
    send: (m) => ws.send(m, { binary: !isUtf8(m) }),
    next: (ms) => inbox.next(ms),
    silence: (ms) => inbox.silence(ms),
    get closed() {
      return closed;
    },
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.terminate();
      await once(ws, 'close');
    },
  };
}
