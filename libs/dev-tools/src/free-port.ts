import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/**
 * A port on 127.0.0.1 that was free a moment ago (bound to port 0, then
 * released). Another process may take it before you do: prefer listening on
 * port 0 and reading the bound port where possible.
 */
export function freePort(transport: 'udp' | 'tcp'): Promise<number> {
  return handedOut.next(transport === 'udp' ? freeUdpPort : freeTcpPort);
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind({ address: '127.0.0.1', port: 0 }, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** A port number free on 127.0.0.1 for both UDP and TCP a moment ago (SIP listens on both). */
export function freeUdpTcpPort(): Promise<number> {
  return handedOut.next(freeUdpAndTcpPort);
}

async function freeUdpAndTcpPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freeTcpPort();
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind({ address: '127.0.0.1', port }, () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no port free for both UDP and TCP after 20 attempts');
}

/**
 * Hands out ports from `find` (e.g. freePort), never one of the last
 * `remembered` it gave: the kernel may return the same ephemeral port twice in
 * a row once it was released, and two listeners of one server or fleet must
 * not get it.
 */
export class DistinctPorts {
  private readonly given = new Set<number>();

  constructor(private readonly remembered = Number.POSITIVE_INFINITY) {}

  async next(find: () => Promise<number>, attempts = 20): Promise<number> {
    for (let attempt = 0; attempt < attempts; attempt++) {
      const port = await find();
      if (!this.given.has(port)) {
        this.given.add(port);
        if (this.given.size > this.remembered) this.given.delete(this.given.values().next().value!);
        return port;
      }
    }
    throw new Error(`no free port distinct from the ${this.given.size} already given (${[...this.given].join(', ')}) after ${attempts} attempts`);
  }
}

/** Every free port this process draws, so that the ports of one server (SIP, WebSocket, HTTP) drawn in a row differ (a bench saw WS get the SIP port). */
const handedOut: DistinctPorts = new DistinctPorts(1_024);
