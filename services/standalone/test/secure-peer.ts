import { once } from 'node:events';
import type { TLSSocket } from 'node:tls';
import { WebSocket } from 'ws';
import { rawTls } from '@presence/testkit';

/**
 * A SIP peer written by hand over one TLS connection (node's tls) or one
 * secure WebSocket (the ws package, subprotocol sip): what a phone or a
 * browser does, with nothing of our stack on the client side.
 */
export interface SecurePeer {
  send(text: string): void;
  /** The next message received, whole. */
  next(timeoutMs?: number): Promise<string>;
  /** SHA-256 fingerprint of the certificate the server presented. */
  readonly fingerprint: string;
  close(): Promise<void>;
}

/** Connects verifying the server against `ca`. */
export async function securePeer(transport: 'tls' | 'wss', port: number, ca: string): Promise<SecurePeer> {
  if (transport === 'tls') {
    const peer = await rawTls(port, { ca, rejectUnauthorized: true });
    return { send: (text) => peer.send(text), next: (ms = 10_000) => peer.next(ms), fingerprint: peer.socket.getPeerX509Certificate()?.fingerprint256 ?? '', close: () => peer.close() };
  }
  const ws = new WebSocket(`wss://127.0.0.1:${port}`, 'sip', { ca });
  const received: string[] = [];
  const waiters: ((text: string) => void)[] = [];
  ws.on('message', (data: Buffer) => {
    const waiter = waiters.shift();
    if (waiter) waiter(data.toString('utf8'));
    else received.push(data.toString('utf8'));
  });
  let fingerprint = '';
  ws.once('upgrade', (response) => {
    fingerprint = (response.socket as TLSSocket).getPeerX509Certificate()?.fingerprint256 ?? '';
  });
  await once(ws, 'open');
  return {
    send: (text) => ws.send(text),
    next: (ms = 10_000) => {
      const ready = received.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no WebSocket message within ${ms} ms`)), ms);
        waiters.push((text) => {
          clearTimeout(timer);
          resolve(text);
        });
      });
    },
    get fingerprint() {
      return fingerprint;
    },
    close: async () => {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.terminate();
      await once(ws, 'close');
    },
  };
}

/** A request as text, Content-Length added. */
export function sipRequest(method: string, uri: string, fields: Record<string, string>, body = ''): string {
  let text = `${method} ${uri} SIP/2.0\r\n`;
  for (const [name, value] of Object.entries(fields)) text += `${name}: ${value}\r\n`;
  return `${text}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** The first value of a header (case-insensitive name). */
export function headerOf(message: string, name: string): string | undefined {
  const head = message.slice(0, message.indexOf('\r\n\r\n'));
  const prefix = `${name.toLowerCase()}:`;
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(prefix));
  return line?.slice(prefix.length).trim();
}

export function bodyOf(message: string): string {
  return message.slice(message.indexOf('\r\n\r\n') + 4);
}

/** 200 OK to a request received (RFC 3261 §8.2.6.2: Via, From, To, Call-ID and CSeq copied). */
export function answer200(request: string): string {
  const head = request.slice(0, request.indexOf('\r\n\r\n')).split('\r\n');
  const copied = head.filter((line) => /^(via|from|to|call-id|cseq):/i.test(line));
  return `SIP/2.0 200 OK\r\n${copied.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`;
}

/** Reads two messages and tells the response from the request (their order is not fixed). */
export async function responseAndRequest(peer: SecurePeer): Promise<{ response: string; request: string }> {
  const both = [await peer.next(), await peer.next()];
  const response = both.find((m) => m.startsWith('SIP/2.0 '));
  const request = both.find((m) => !m.startsWith('SIP/2.0 '));
  if (response === undefined || request === undefined) throw new Error(`expected a response and a request, got:\n${both.join('\n----\n')}`);
  return { response, request };
}
