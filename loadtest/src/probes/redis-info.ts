import { createConnection } from 'node:net';
import type { Endpoint } from '../transport/channel.js';

export interface RedisMemory {
  /** INFO memory used_memory: what Redis's allocator holds for data and overhead. */
  readonly usedMemoryBytes: number;
  readonly usedMemoryRssBytes: number;
  readonly keys: number;
}

/** INFO memory and DBSIZE over a raw RESP connection (loadtest does not depend on a Redis client). */
export async function readRedisMemory(redis: Endpoint): Promise<RedisMemory> {
  const info = await redisCommand(redis, ['INFO', 'memory']);
  const field = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
  const keys = Number(await redisCommand(redis, ['DBSIZE']));
  return { usedMemoryBytes: field('used_memory'), usedMemoryRssBytes: field('used_memory_rss'), keys };
}

/** One command, one reply (simple string, integer or bulk string); a 5 s bound. */
export function redisCommand(redis: Endpoint, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: redis.host, port: redis.port });
    let buffer = Buffer.alloc(0);
    const finish = (error: Error | undefined, value = ''): void => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(value);
    };
    const timer = setTimeout(() => finish(new Error(`redis ${args[0]} on ${redis.host}:${redis.port} timed out`)), 5000);
    socket.once('error', (error) => finish(error));
    socket.once('connect', () => socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const lineEnd = buffer.indexOf('\r\n');
      if (lineEnd < 0) return;
      const line = buffer.subarray(1, lineEnd).toString('utf8');
      const kind = String.fromCharCode(buffer[0]!);
      if (kind === '+' || kind === ':') return finish(undefined, line);
      if (kind === '-') return finish(new Error(`redis: ${line}`));
      if (kind !== '$') return finish(new Error(`unexpected redis reply: ${line}`));
      const length = Number(line);
      if (length < 0) return finish(undefined, '');
      if (buffer.length >= lineEnd + 2 + length) finish(undefined, buffer.subarray(lineEnd + 2, lineEnd + 2 + length).toString('utf8'));
    });
  });
}
