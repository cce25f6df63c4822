import type { Flow, WireDirection } from '@presence/sip';

/** One SIP message on the wire as both tracers see it: who sent it to whom, how and when. */
export interface TracedMessage {
  readonly data: Buffer;
  /** 'udp' | 'tcp' | 'ws' | ... as the SIP stack names the transport. */
  readonly transport: string;
  readonly srcAddress: string;
  readonly srcPort: number;
  readonly dstAddress: string;
  readonly dstPort: number;
  /** Wall-clock time in whole microseconds since the epoch. */
  readonly timeUs: number;
}

/** Received: the peer sent it to us; sent: we sent it to the peer. */
export function tracedMessage(direction: WireDirection, data: Buffer, flow: Flow, timeUs = nowUs()): TracedMessage {
  const local = { address: flow.localAddress, port: flow.localPort };
  const remote = { address: flow.remoteAddress, port: flow.remotePort };
  const [src, dst] = direction === 'in' ? [remote, local] : [local, remote];
  return { data, transport: flow.transport, srcAddress: src.address, srcPort: src.port, dstAddress: dst.address, dstPort: dst.port, timeUs };
}

/** Microseconds since the epoch, finer than Date.now(). */
export function nowUs(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

/** Datagram (UDP) or stream (everything else runs over TCP: tcp, tls, ws, wss). */
export function isDatagram(transport: string): boolean {
  return transport === 'udp';
}

/** IP protocol number of a SIP transport, as IP headers and HEP carry it: UDP 17, anything on TCP 6. */
export function ipProtocolOf(transport: string): 6 | 17 {
  return isDatagram(transport) ? 17 : 6;
}
