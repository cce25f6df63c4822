import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { eventually } from '@presence/testkit';
import { describe, expect, it } from 'vitest';
import { DatagramRelay, RELAY_KEY_BYTES } from './datagram-relay.js';

interface Seen {
  readonly listener: number;
  readonly datagram: string;
  readonly address: string;
  readonly port: number;
}

/** A relay whose deliveries and drops resolve the next waiter. */
async function openRelay(key: Buffer): Promise<{ relay: DatagramRelay; next(): Promise<Seen | 'dropped'> }> {
  const queue: (Seen | 'dropped')[] = [];
  const waiters: ((value: Seen | 'dropped') => void)[] = [];
  const push = (value: Seen | 'dropped'): void => {
    const waiter = waiters.shift();
    if (waiter) waiter(value);
    else queue.push(value);
  };
  const relay = await DatagramRelay.open(key, (listener, datagram, address, port) => push({ listener, datagram: datagram.toString('latin1'), address, port }), () => push('dropped'));
  return { relay, next: () => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((resolve) => waiters.push(resolve))) };
}

describe('datagram relay', () => {
  it('relay - a datagram reaches the other worker byte for byte with its listener and source, IPv4 or IPv6', async () => {
    const key = randomBytes(RELAY_KEY_BYTES);
    const a = await openRelay(key);
    const b = await openRelay(key);
    try {
      const sip = Buffer.from('SIP/2.0 200 OK\r\nCall-ID: x\r\n\r\n\u00ff', 'latin1');
      expect(a.relay.send(b.relay.port, 1, sip, '192.0.2.7', 5070)).toBe(true);
      expect(await b.next()).toEqual({ listener: 1, datagram: sip.toString('latin1'), address: '192.0.2.7', port: 5070 });
      expect(b.relay.send(a.relay.port, 0, Buffer.from('x'), '2001:db8::1', 65535)).toBe(true);
      expect(await a.next()).toEqual({ listener: 0, datagram: 'x', address: '2001:db8::1', port: 65535 });
    } finally {
      await a.relay.close();
      await b.relay.close();
    }
  });

  it('relay - a frame without the server key (another local process) is dropped; one too large for UDP is refused', async () => {
    const b = await openRelay(randomBytes(RELAY_KEY_BYTES));
    const a = await openRelay(randomBytes(RELAY_KEY_BYTES));
    const raw = createSocket('udp4');
    try {
      expect(a.relay.send(b.relay.port, 0, Buffer.from('INVITE'), '127.0.0.1', 5060)).toBe(true);
      expect(await b.next()).toBe('dropped');
      raw.send(Buffer.from('short'), b.relay.port, '127.0.0.1');
      expect(await b.next()).toBe('dropped');
      expect(a.relay.send(b.relay.port, 0, Buffer.alloc(65_500), '127.0.0.1', 5060)).toBe(false);
    } finally {
      raw.close();
      await a.relay.close();
      await b.relay.close();
    }
  });

  it('relay - the datagrams for one worker in one turn of the event loop go as one frame (a full one is sent and another begun), each delivered in order with its source', async () => {
    const key = randomBytes(RELAY_KEY_BYTES);
    const a = await openRelay(key);
    const b = await openRelay(key);
    const peer = createSocket('udp4');
    const frames: Buffer[] = [];
    try {
      await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
      peer.on('message', (frame) => frames.push(frame));
      const peerPort = peer.address().port;
      const small = ['SIP/2.0 200 OK\r\n\r\n', 'x', 'NOTIFY'].map((text) => Buffer.from(text, 'latin1'));
      small.forEach((datagram, i) => expect(a.relay.send(peerPort, i, datagram, `192.0.2.${i}`, 5060 + i)).toBe(true));
      const large = [1, 2, 3].map((fill) => Buffer.alloc(30_000, fill));
      for (const datagram of large) expect(a.relay.send(peerPort, 0, datagram, '127.0.0.1', 5060)).toBe(true);
      await eventually(() => expect(frames).toHaveLength(2));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(frames, 'the three small and two large in one frame, the third large in the next').toHaveLength(2);

      for (const frame of frames) peer.send(frame, b.relay.port, '127.0.0.1');
      for (const [i, datagram] of small.entries()) expect(await b.next()).toEqual({ listener: i, datagram: datagram.toString('latin1'), address: `192.0.2.${i}`, port: 5060 + i });
      for (const datagram of large) expect(await b.next()).toEqual({ listener: 0, datagram: datagram.toString('latin1'), address: '127.0.0.1', port: 5060 });
    } finally {
      peer.close();
      await a.relay.close();
      await b.relay.close();
    }
  });

  it('relay - a frame with the key whose record is cut short delivers the records before it and is counted as dropped', async () => {
    const key = randomBytes(RELAY_KEY_BYTES);
    const b = await openRelay(key);
    const raw = createSocket('udp4');
    try {
      const record = Buffer.from([0, 0x13, 0xc4, 9, 0, 2, ...Buffer.from('127.0.0.1'), 0x4f, 0x4b]);
      raw.send(Buffer.concat([key, record, record.subarray(0, 8)]), b.relay.port, '127.0.0.1');
      expect(await b.next()).toEqual({ listener: 0, datagram: 'OK', address: '127.0.0.1', port: 5060 });
      expect(await b.next()).toBe('dropped');
    } finally {
      raw.close();
      await b.relay.close();
    }
  });
});
