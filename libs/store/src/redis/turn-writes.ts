import type { Socket } from 'node:net';
import type { RedisClient } from './redis-connection.js';

/**
 * Makes the commands sent during one turn of the event loop go down the
 * connection in one socket write: the first corks the socket and a
 * setImmediate uncorks it once the turn's I/O callbacks have run, so Node
 * hands them to the kernel as one writev. A loopback write costs tens of
 * µs on a busy host; a request often sends two commands at once (an index
 * entry and its record, a mirror and its Call-ID index), and under load
 * one turn handles many requests (every datagram and reply read in it).
 * A command waits at most for the rest of that turn, never for a timer or
 * for more I/O, and Redis still runs the commands in the order written.
 * Uncorking on process.nextTick (one synchronous run per write) measured
 * ~10 % more CPU per subscription over the cluster; ioredis's own
 * enableAutoPipelining batches through a pipeline object per tick, which
 * cost what it saved (issue #17).
 *
 * A Redis Cluster client has a connection per node: it is left as it is.
 * Returns the hook to call before each command.
 */
export function turnWrites(client: RedisClient): () => void {
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
    setImmediate(uncork);
  };
}
