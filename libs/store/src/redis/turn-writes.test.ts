import { describe, expect, it } from 'vitest';
import type { RedisClient } from './redis-connection.js';
import { turnWrites } from './turn-writes.js';

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

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('turnWrites', () => {
  it('turn writes - the commands of one event loop turn share one write, its microtasks and ticks included; the next turn gets its own', async () => {
    const socket = new CountingSocket();
    const before = turnWrites(client(socket));
    before();
    socket.write('ZADD');
    await Promise.resolve();
    before();
    socket.write('EVALSHA');
    await new Promise<void>((resolve) => process.nextTick(resolve));
    before();
    socket.write('HGET');
    expect(socket.writes).toEqual([]);
    await nextTurn();
    expect(socket.writes).toEqual([['ZADD', 'EVALSHA', 'HGET']]);
    before();
    socket.write('GET');
    await nextTurn();
    expect(socket.writes).toEqual([['ZADD', 'EVALSHA', 'HGET'], ['GET']]);
    expect([socket.corks, socket.uncorks]).toEqual([2, 2]);
  });

  it('turn writes - a connection not ready, not writable, or a Redis Cluster client is never corked', async () => {
    for (const [socket, rest] of [
      [new CountingSocket(), { status: 'reconnecting' }],
      [Object.assign(new CountingSocket(), { writable: false }), {}],
      [new CountingSocket(), { isCluster: true }],
    ] as const) {
      turnWrites(client(socket, rest))();
      socket.write('GET');
      await nextTurn();
      expect([socket.corks, socket.writes]).toEqual([0, [['GET']]]);
    }
  });
});
