import { isIPv6 } from 'node:net';
import { socketHost, tryParseSipUri, type ParsedSipUri } from '@presence/core/sip-uri';
import type { Logger } from '../logger.js';
import type { ConnectionRegistry } from '../transport/connection-registry.js';
import { remoteKey, type InternalFlow, type TransportSink } from '../transport/internal-flow.js';
import { StreamConnection } from '../transport/stream-connection.js';
import { TcpConnection } from '../transport/tcp-transport.js';
import { isSecureTransport, type Flow, type TransportName } from '../transport/transport-types.js';
import { UdpFlow, type UdpListener } from '../transport/udp-transport.js';
import { WsConnection } from '../transport/ws-transport.js';
import { isSipsUri } from '../wire/sips-scheme.js';
import type { SendTarget } from './stack-types.js';

/** RFC 3261 §19.1.2 default ports; RFC 6455 §3 for WebSocket. */
const DEFAULT_PORTS: Readonly<Record<TransportName, number>> = { udp: 5060, tcp: 5060, tls: 5061, ws: 80, wss: 443 };
/** UDP flows kept by token, one per watcher address; past this the oldest goes (about 150 bytes each). */
const MAX_CACHED_UDP_FLOWS = 16_384;

/**
 * Turns a SendTarget into a flow: the given flow if alive, else a (new or
 * reused) flow to the URI. Connections we open over tls and wss verify the
 * peer only when the stack was given CAs to trust (SipTlsOptions.trustedCa).
 */
export class TargetResolver {
  /**
   * A UDP flow is only a listener and an address, so every NOTIFY of a
   * dialog can share one instead of parsing the dialog's token into a new
   * flow (and a completed transaction holding it through Timer K).
   */
  private readonly udpFlows = new Map<string, UdpFlow>();

  constructor(
    private readonly connections: ConnectionRegistry,
    private readonly udp: readonly UdpListener[],
    private readonly sink: TransportSink,
    private readonly logger: Logger | undefined,
    private readonly trustedCa: string | Buffer | undefined,
  ) {}

  resolve(target: SendTarget): InternalFlow | undefined {
    if (target.flow !== undefined) {
      const flow = typeof target.flow === 'string' ? this.fromToken(target.flow) : this.fromFlow(target.flow);
      // RFC 3261 §26.2.2: a SIPS target is reached over TLS only; an insecure flow (a UA that subscribed over UDP) is not used for it.
      if (flow !== undefined && (isSecureTransport(flow.transport) || !isSipsUri(target.uri))) return flow;
    }
    return target.uri === undefined ? undefined : this.fromUri(target.uri);
  }

  /**
   * A TCP flow to the address and port of a UDP one, for a message too large
   * for a datagram (RFC 3261 §18.1.1: a UA listening on UDP listens on TCP
   * on the same port too). Undefined when none can be opened.
   */
  tcpTwin(flow: UdpFlow): InternalFlow | undefined {
    const { remoteAddress: host, remotePort: port } = flow;
    try {
      return this.connections.byRemoteKey(remoteKey('tcp', host, port)) ?? TcpConnection.open(host, port, this.sink);
    } catch (error) {
      this.logger?.warn({ err: error, host, port }, 'cannot open TCP for a message too large for UDP');
      return undefined;
    }
  }

  private fromFlow(flow: Flow): InternalFlow | undefined {
    if (flow instanceof StreamConnection) return flow.closed ? undefined : flow;
    if (flow instanceof UdpFlow) return flow;
    return this.fromToken(flow.token);
  }

  /** Tokens: `udp|<listener>|<port>|<address>`, `<tcp|tls|ws|wss>|<stack>|<n>`. */
  private fromToken(token: string): InternalFlow | undefined {
    if (!token.startsWith('udp|')) return this.connections.byFlowToken(token);
    const cached = this.udpFlows.get(token);
    if (cached !== undefined) return cached;
    const flow = this.parseUdpToken(token);
    if (flow === undefined) return undefined;
    if (this.udpFlows.size >= MAX_CACHED_UDP_FLOWS) this.udpFlows.delete(this.udpFlows.keys().next().value!);
    this.udpFlows.set(token, flow);
    return flow;
  }

  private parseUdpToken(token: string): UdpFlow | undefined {
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
    const transport = uriTransport(parsed);
    if (transport === undefined) {
      this.logger?.warn({ uri, transport: parsed.params.get('transport') }, 'cannot send: unsupported transport');
      return undefined;
    }
    const host = parsed.params.get('maddr') || socketHost(parsed);
    const port = parsed.port ?? DEFAULT_PORTS[transport];
    const reuse = (name: TransportName) => this.connections.byRemoteKey(remoteKey(name, host, port));
    switch (transport) {
      case 'udp': {
        const family = isIPv6(host) ? 6 : 4;
        const listener = this.udp.find((l) => l.family === family) ?? this.udp[0];
        return listener === undefined ? undefined : new UdpFlow(listener, host, port);
      }
      case 'tcp':
        return reuse('tcp') ?? TcpConnection.open(host, port, this.sink);
      case 'tls':
        return reuse('tls') ?? TcpConnection.openTls(host, port, this.sink, this.trustedCa);
      case 'ws':
        // RFC 7118 §5.2: `transport=ws` names WS and WSS alike, so a WSS connection to that address serves too.
        return reuse('ws') ?? reuse('wss') ?? WsConnection.open(host, port, this.sink);
      case 'wss':
        return reuse('wss') ?? WsConnection.openSecure(host, port, this.sink, this.trustedCa);
    }
  }
}

/**
 * The transport a URI asks for: its transport parameter, else UDP; a SIPS
 * URI asks for the same over TLS (RFC 3261 §26.2: TLS for tcp, WSS for ws per
 * RFC 7118 §5.2; none over UDP). `transport=wss`, which RFC 7118 does not
 * define but some servers write, is taken as WSS. Undefined: not supported.
 */
function uriTransport(uri: ParsedSipUri): TransportName | undefined {
  const param = uri.params.get('transport')?.toLowerCase();
  if (uri.scheme === 'sips') {
    if (param === undefined || param === 'tcp' || param === 'tls') return 'tls';
    return param === 'ws' || param === 'wss' ? 'wss' : undefined;
  }
  if (param === undefined) return 'udp';
  return param === 'udp' || param === 'tcp' || param === 'tls' || param === 'ws' || param === 'wss' ? param : undefined;
}
