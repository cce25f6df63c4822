import type { Socket } from 'node:net';
import type { RedisClient } from './redis-connection.js';

/**
 * Makes the commands one synchronous run of code sends go down the
 * connection in one socket write: the first corks the socket and the next
 * process.nextTick uncorks it, so Node hands them to the kernel as one
 * writev. A loopback write costs tens of µs on a busy host, and a request
 * often sends two commands at once (an index entry and its record, a
 * mirror and its Call-ID index). Nothing waits: the uncork runs before any
 * I/O the same tick could wait for, and Redis still runs the commands in
 * the order written. ioredis's own enableAutoPipelining does this through
 * a pipeline object per tick, which cost what it saved (issue #17).
 *
 * A Redis Cluster client has a connection per node: it is left as it is.
 * Returns the hook to call before each command.
 */
export function tickWrites(client: RedisClient): () => void {
  if (client.isCluster) return () => undefined;
  let corked: Socket | undefined;
  const uncork = (): void => {
    const socket = corked;
    corked = undefined;
    socket?.uncork();
  };
  return () => {
    if (corked !== undefined || client.status !== 'ready') return;
    const socket = (client as { stream?: Socket }).stream;
    if (socket === undefined || !socket.writable) return;
    socket.cork();
    corked = socket;
    process.nextTick(uncork);
  };
}
