// Raw sockets that speak bytes, to poke a SIP stack or a server with crafted
// or broken messages.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { once } from 'node:events';

export interface Inbox {
  readonly received: string[];
  next(timeoutMs?: number): Promise<string>;
  /** Resolves with nothing if no message arrives within `ms`, else rejects. */
  silence(ms: number): Promise<void>;
}

/** Messages received, in order, for a peer to read; `push` adds one. */
export function createInbox(): Inbox & { push(text: string): void } {
  const received: string[] = [];
  let cursor = 0;
  let waiter: (() => void) | undefined;
  const wait = (ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        waiter = undefined;
        resolve(false);
      }, ms);
      waiter = () => {
        clearTimeout(timer);
        waiter = undefined;
        resolve(true);
      };
    });
  return {
    received,
    push(text) {
      received.push(text);
      waiter?.();
    },
    async next(timeoutMs = 2000) {
      if (cursor < received.length) return received[cursor++] as string;
      if (!(await wait(timeoutMs))) throw new Error(`no message within ${timeoutMs} ms`);
      return received[cursor++] as string;
    },
    async silence(ms) {
      if (cursor < received.length || (await wait(ms))) {
        throw new Error(`unexpected message: ${received[cursor]?.split('\r\n')[0]}`);
      }
    },
  };
}

export interface RawUdp extends Inbox {
  readonly port: number;
  send(data: string | Buffer, port: number): void;
  close(): Promise<void>;
}

/** A raw UDP peer on `host` (another loopback address such as 127.0.0.2 is another source), sending to 127.0.0.1. */
export async function rawUdp(host = '127.0.0.1'): Promise<RawUdp> {
  const socket: UdpSocket = createSocket('udp4');
  const inbox = createInbox();
  socket.on('message', (msg) => inbox.push(msg.toString('utf8')));
  socket.bind(0, host);
  await once(socket, 'listening');
  return {
    ...inbox,
    received: inbox.received,
    port: socket.address().port,
    send: (data, port) => socket.send(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, port, '127.0.0.1'),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

export interface RawTcp extends Inbox {
  readonly port: number;
  readonly socket: Socket;
  send(data: string | Buffer): void;
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/** A raw TCP client; incoming bytes are split on blank lines + Content-Length. */
export async function rawTcp(port: number): Promise<RawTcp> {
  const socket = connect({ host: '127.0.0.1', port });
  return rawStream(socket, 'connect');
}

/**
 * A raw TLS client, split as rawTcp; `options` as tls.connect's (e.g. `ca`
 * to verify the server; default: not verified). `socket` is the TLSSocket.
 */
export async function rawTls(port: number, options: ConnectionOptions = {}): Promise<RawTcp & { readonly socket: TLSSocket }> {
  const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options });
  return rawStream(socket, 'secureConnect');
}

async function rawStream<S extends Socket>(socket: S, connected: 'connect' | 'secureConnect'): Promise<RawTcp & { readonly socket: S }> {
  const inbox = createInbox();
  let buffer = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      const match = /content-length:\s*(\d+)/i.exec(buffer.slice(0, end));
      const total = end + 4 + Number(match?.[1] ?? 0);
      if (buffer.length < total) return;
      inbox.push(Buffer.from(buffer.slice(0, total), 'latin1').toString('utf8'));
      buffer = buffer.slice(total);
    }
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await once(socket, connected);
  return {
    ...inbox,
    received: inbox.received,
    port: socket.localPort ?? 0,
    socket,
    send: (data) => socket.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data),
    closed,
    close: async () => {
      socket.destroy();
      await closed;
    },
  };
}

export interface RequestText {
  method?: string;
  uri?: string;
  transport?: string;
  sentBy?: string;
  branch?: string;
  callId?: string;
  cseq?: string;
  extra?: string[];
  body?: string;
  omit?: string[];
}

/** A well-formed request as text; `omit` drops headers by name, `extra` adds lines. */
export function requestText(spec: RequestText = {}): string {
  const method = spec.method ?? 'OPTIONS';
  const lines: [string, string][] = [
    ['Via', `SIP/2.0/${spec.transport ?? 'UDP'} ${spec.sentBy ?? '127.0.0.1:5999'};branch=${spec.branch ?? 'z9hG4bKraw1'};rport`],
    ['Max-Forwards', '70'],
    ['From', '<sip:raw@example.com>;tag=rawtag'],
    ['To', '<sip:server@example.com>'],
    ['Call-ID', spec.callId ?? 'raw-call-1'],
    ['CSeq', spec.cseq ?? `1 ${method}`],
  ];
  const body = spec.body ?? '';
  let text = `${method} ${spec.uri ?? 'sip:server@127.0.0.1'} SIP/2.0\r\n`;
  for (const [name, value] of lines) if (!spec.omit?.includes(name)) text += `${name}: ${value}\r\n`;
  for (const line of spec.extra ?? []) text += `${line}\r\n`;
  if (!spec.omit?.includes('Content-Length')) text += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
  return `${text}\r\n${body}`;
}

/** First line of a message, e.g. "SIP/2.0 200 OK". */
export function startLine(text: string): string {
  return text.slice(0, text.indexOf('\r\n'));
}
