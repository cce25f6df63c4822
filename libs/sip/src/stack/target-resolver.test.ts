import { describe, expect, it } from 'vitest';
import type { ConnectionRegistry } from '../transport/connection-registry.js';
import type { TransportSink } from '../transport/internal-flow.js';
import { UdpFlow, UdpListener } from '../transport/udp-transport.js';
import { TargetResolver } from './target-resolver.js';

const sink = {} as TransportSink;
const noConnections = { byFlowToken: () => undefined, byRemoteKey: () => undefined } as unknown as ConnectionRegistry;

function resolverWith(...hosts: string[]): TargetResolver {
  const listeners = hosts.map((host, index) => new UdpListener(index, { transport: 'udp', host, port: 0 }, sink));
  return new TargetResolver(noConnections, listeners, sink, undefined, undefined);
}

function udpFlow(resolver: TargetResolver, token: string): UdpFlow {
  const flow = resolver.resolve({ flow: token });
  expect(flow).toBeInstanceOf(UdpFlow);
  return flow as UdpFlow;
}

describe('TargetResolver, UDP flow tokens', () => {
  it('gives every send of a token the same flow, to the address and port it names', () => {
    const resolver = resolverWith('127.0.0.1', '::1');
    const first = udpFlow(resolver, 'udp|1|5070|::1');
    expect(udpFlow(resolver, 'udp|1|5070|::1')).toBe(first);
    expect([first.remoteAddress, first.remotePort, first.token, first.maxMessageBytes]).toEqual(['::1', 5070, 'udp|1|5070|::1', 65_527]);
    const other = udpFlow(resolver, 'udp|0|5071|127.0.0.1');
    expect([other.remoteAddress, other.remotePort, other.maxMessageBytes]).toEqual(['127.0.0.1', 5071, 65_507]);
  });

  it('resolves no flow for a malformed token or one naming a listener it does not have, and does not keep it', () => {
    const resolver = resolverWith('127.0.0.1');
    for (const token of ['udp|5|5070|127.0.0.1', 'udp|0|x|127.0.0.1', 'udp|0|5070', 'udp|']) {
      expect(resolver.resolve({ flow: token })).toBeUndefined();
      expect(resolver.resolve({ flow: token })).toBeUndefined();
    }
  });

  it('keeps a bounded number of flows: the oldest token gets a new flow, still to its own address', () => {
    const resolver = resolverWith('127.0.0.1');
    const oldest = udpFlow(resolver, 'udp|0|1|10.0.0.1');
    for (let i = 0; i < 20_000; i++) udpFlow(resolver, `udp|0|${1000 + (i % 60_000)}|10.0.${i >> 8}.${i & 255}`);
    const again = udpFlow(resolver, 'udp|0|1|10.0.0.1');
    expect(again).not.toBe(oldest);
    expect([again.remoteAddress, again.remotePort]).toEqual(['10.0.0.1', 1]);
  });
});
