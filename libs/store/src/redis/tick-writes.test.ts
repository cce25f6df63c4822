import { describe, expect, it } from 'vitest';
import type { RedisClient } from './redis-connection.js';
import { tickWrites } from './tick-writes.js';

/** A socket that counts how often it is corked and uncorked, and buffers what is written while corked. */
class CountingSocket {
  writable = true;
  corks = 0;
  uncorks = 0;
  readonly writes: string[][] = [];
  private pending: string[] | undefined;

  cork(): void {
    this.corks++;
    this.pending ??= [];
  }

  uncork(): void {
    this.uncorks++;
    if (this.pending !== undefined) this.writes.push(this.pending);
    this.pending = undefined;
  }

  write(chunk: string): void {
    if (this.pending !== undefined) this.pending.push(chunk);
    else this.writes.push([chunk]);
  }
}

const client = (socket: CountingSocket, rest: { isCluster?: boolean; status?: string } = {}): RedisClient =>
  ({ isCluster: rest.isCluster ?? false, status: rest.status ?? 'ready', stream: socket }) as unknown as RedisClient;

const nextTick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

describe('tickWrites', () => {
  it('tick writes - the commands of one synchronous run share one write; the next run gets its own', async () => {
    const socket = new CountingSocket();
    const before = tickWrites(client(socket));
    before();
    socket.write('ZADD');
    before();
    socket.write('EVALSHA');
    expect(socket.writes).toEqual([]);
    await nextTick();
    expect(socket.writes).toEqual([['ZADD', 'EVALSHA']]);
    before();
    socket.write('GET');
    await nextTick();
    expect(socket.writes).toEqual([['ZADD', 'EVALSHA'], ['GET']]);
    expect([socket.corks, socket.uncorks]).toEqual([2, 2]);
  });

  it('tick writes - a connection not ready, not writable, or a Redis Cluster client is never corked', async () => {
    for (const [socket, rest] of [
      [new CountingSocket(), { status: 'reconnecting' }],
      [Object.assign(new CountingSocket(), { writable: false }), {}],
      [new CountingSocket(), { isCluster: true }],
    ] as const) {
      tickWrites(client(socket, rest))();
      socket.write('GET');
      await nextTick();
      expect([socket.corks, socket.writes]).toEqual([0, [['GET']]]);
    }
  });
});
