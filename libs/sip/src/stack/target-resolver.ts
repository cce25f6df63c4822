import { isIPv6 } from 'node:net';
import { socketHost, tryParseSipUri } from '@presence/core/sip-uri';
import type { Logger } from '../logger.js';
import type { ConnectionRegistry } from '../transport/connection-registry.js';
import { remoteKey, type InternalFlow, type TransportSink } from '../transport/internal-flow.js';
import { StreamConnection } from '../transport/stream-connection.js';
import { TcpConnection } from '../transport/tcp-transport.js';
import type { Flow } from '../transport/transport-types.js';
import { UdpFlow, type UdpListener } from '../transport/udp-transport.js';
import { WsConnection } from '../transport/ws-transport.js';
import type { SendTarget } from './stack-types.js';

/** Turns a SendTarget into a flow: the given flow if alive, else a (new or reused) flow to the URI. */
export class TargetResolver {
  constructor(
    private readonly connections: ConnectionRegistry,
    private readonly udp: readonly UdpListener[],
    private readonly sink: TransportSink,
    private readonly logger: Logger | undefined,
  ) {}

  resolve(target: SendTarget): InternalFlow | undefined {
    if (target.flow !== undefined) {
      const flow = typeof target.flow === 'string' ? this.fromToken(target.flow) : this.fromFlow(target.flow);
      if (flow !== undefined) return flow;
    }
    return target.uri === undefined ? undefined : this.fromUri(target.uri);
  }

  private fromFlow(flow: Flow): InternalFlow | undefined {
    if (flow instanceof StreamConnection) return flow.closed ? undefined : flow;
    if (flow instanceof UdpFlow) return flow;
    return this.fromToken(flow.token);
  }

  /** Tokens: `udp|<listener>|<port>|<address>`, `tcp|<stack>|<n>`, `ws|<stack>|<n>`. */
  private fromToken(token: string): InternalFlow | undefined {
    if (!token.startsWith('udp|')) return this.connections.byFlowToken(token);
    const second = token.indexOf('|', 4);
    const third = token.indexOf('|', second + 1);
    if (second === -1 || third === -1) return undefined;
    const listener = this.udp[Number(token.slice(4, second))];
    const port = Number(token.slice(second + 1, third));
    if (listener === undefined || !Number.isInteger(port)) return undefined;
    return new UdpFlow(listener, token.slice(third + 1), port);
  }

  /** RFC 3261 §18.1.1 / RFC 3263-lite: transport param, maddr or host, default ports; no DNS SRV. */
  private fromUri(uri: string): InternalFlow | undefined {
    const parsed = tryParseSipUri(uri);
    if (parsed === undefined) {
      this.logger?.warn({ uri }, 'cannot send: unparsable target URI');
      return undefined;
    }
    const transport = (parsed.params.get('transport') || (parsed.scheme === 'sips' ? 'tls' : 'udp')).toLowerCase();
    const host = parsed.params.get('maddr') || socketHost(parsed);
    const port = parsed.port ?? (transport === 'ws' ? 80 : 5060);
    switch (transport) {
      case 'udp': {
        const family = isIPv6(host) ? 6 : 4;
        const listener = this.udp.find((l) => l.family === family) ?? this.udp[0];
        return listener === undefined ? undefined : new UdpFlow(listener, host, port);
      }
      case 'tcp':
        return this.connections.byRemoteKey(remoteKey('tcp', host, port)) ?? TcpConnection.open(host, port, this.sink);
      case 'ws':
        return this.connections.byRemoteKey(remoteKey('ws', host, port)) ?? WsConnection.open(host, port, this.sink);
      default:
        this.logger?.warn({ uri, transport }, 'cannot send: unsupported transport');
        return undefined;
    }
  }
}
