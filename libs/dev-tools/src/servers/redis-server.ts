import { startOnFreePort } from './start-on-free-port.js';
import type { ManagedServer } from './managed-server.js';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../free-port.js';
import { sleep } from '../sleep.js';

/** A throwaway redis-server on 127.0.0.1, own temp directory; no persistence unless asked for. */
export interface RedisServerProcess extends ManagedServer {
  /** SIGSTOP: connections stay open but nothing answers (a hung or partitioned server). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
}

/** Three masters with every slot assigned, cluster_state:ok on all of them. */
export interface RedisClusterProcess {
  readonly nodes: ReadonlyArray<{ readonly host: string; readonly port: number }>;
  /** The masters themselves, in the order of `nodes`: kill() one and restart() it to fault the cluster. */
  readonly servers: readonly RedisServerProcess[];
  /** `host:port,host:port,host:port`: the seeds, as the presence --redis option takes them. */
  readonly seeds: string;
  /** Stops every node (bounded) and removes their temp directories. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const CLUSTER_TIMEOUT_MS = 30_000;
/** Redis Cluster's bus listens on the client port + 10000. */
const CLUSTER_BUS_OFFSET = 10_000;
/** Output kept for error messages. */
const OUTPUT_TAIL = 8_192;

export interface RedisServerOptions {
  /**
   * Persistence: `appendonly yes` with this fsync policy; default none.
   * `always`: Redis fsyncs the AOF before it answers, so whatever it
   * acknowledged survives a SIGKILL and restart. `everysec` (Redis's default,
   * and compose.yaml's): when a background fsync lags, Redis answers writes it
   * has not even written to the file yet (it postpones the write up to 2 s),
   * and a SIGKILL loses them — `npm run chaos` has seen it.
   */
  readonly appendFsync?: 'always' | 'everysec';
}

const persistenceArgs = (options: RedisServerOptions): string[] =>
  options.appendFsync === undefined ? [] : ['--appendonly', 'yes', '--appendfsync', options.appendFsync];

/** Starts a standalone redis-server on a free port; rejects (with its output) if it does not answer PING in time. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerProcess> {
  return startWithFreshPort(async () => ({ port: await freePort('tcp') }), persistenceArgs(options));
}

/**
 * Starts three cluster-enabled masters and joins them with
 * `redis-cli --cluster create ... --cluster-replicas 0`. Rejects (stopping
 * what it started) if the cluster is not ok in time.
 */
export async function startRedisCluster(options: RedisServerOptions = {}): Promise<RedisClusterProcess> {
  const servers: ManagedRedis[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      servers.push(
        await startWithFreshPort(
          async () => ({ port: await freeClusterPort() }),
          (dir) => ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--cluster-node-timeout', '5000', ...persistenceArgs(options)],
        ),
      );
    }
    const addresses = servers.map((server) => `${HOST}:${server.port}`);
    await execFileBounded('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], CLUSTER_TIMEOUT_MS);
    const deadline = Date.now() + CLUSTER_TIMEOUT_MS;
    for (;;) {
      const infos = await Promise.all(servers.map((server) => redisCommand(server.port, ['CLUSTER', 'INFO']).catch((error: unknown) => String(error))));
      if (infos.every((info) => info.includes('cluster_state:ok'))) break;
      if (Date.now() > deadline) throw new Error(`redis cluster not ok after ${CLUSTER_TIMEOUT_MS} ms:\n${infos.join('\n---\n')}`);
      await sleep(100);
    }
  } catch (error) {
    await Promise.allSettled(servers.map((server) => server.stop()));
    throw error;
  }
  return {
    nodes: servers.map((server) => ({ host: HOST, port: server.port })),
    servers,
    seeds: servers.map((server) => `${HOST}:${server.port}`).join(','),
    stop: async () => {
      await Promise.allSettled(servers.map((server) => server.stop()));
    },
  };
}

type ExtraArgs = string[] | ((dir: string) => string[]);

/** Ports can be taken between freePort() and the bind: try a few. */
async function startWithFreshPort(pickPort: () => Promise<{ port: number }>, extraArgs: ExtraArgs): Promise<ManagedRedis> {
  return startOnFreePort(
    3,
    async () => {
      const { port } = await pickPort();
      const dir = await mkdtemp(join(tmpdir(), 'presence-redis-'));
      return new ManagedRedis(port, dir, typeof extraArgs === 'function' ? extraArgs(dir) : extraArgs);
    },
    (error) => String(error).includes('Address already in use'),
  );
}

class ManagedRedis implements RedisServerProcess {
  readonly url: string;
  private child: ChildProcess | undefined;

  get pid(): number | undefined {
    return this.child?.pid;
  }
  private exited: Promise<void> = Promise.resolve();
  private output = '';
  private removed = false;

  constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly extraArgs: string[],
  ) {
    this.url = `redis://${HOST}:${port}`;
  }

  async start(): Promise<void> {
    this.output = '';
    const args = ['--port', String(this.port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', this.dir, ...this.extraArgs];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let exitCode: string | undefined;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        exitCode = `code ${code ?? '-'} signal ${signal ?? '-'}`;
        if (this.child === child) this.child = undefined;
        resolve();
      });
      child.once('error', (error) => {
        exitCode = `spawn failed: ${error.message}`;
        if (this.child === child) this.child = undefined;
        resolve();
      });
    });
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);

    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (exitCode !== undefined) throw new Error(`redis-server on port ${this.port} exited (${exitCode}) before answering PING:\n${this.output}`);
      try {
        if ((await redisCommand(this.port, ['PING'])) === 'PONG') return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await this.halt('SIGKILL');
        throw new Error(`redis-server on port ${this.port} did not answer PING within ${READY_TIMEOUT_MS} ms:\n${this.output}`);
      }
      await sleep(25);
    }
  }

  async stop(): Promise<void> {
    await this.halt('SIGTERM');
    if (!this.removed) {
      this.removed = true;
      await rm(this.dir, { recursive: true, force: true });
    }
  }

  async kill(): Promise<void> {
    await this.halt('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.halt('SIGTERM');
    await this.start();
  }

  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** Sends `signal` (escalating to SIGKILL after a bound) and waits for the exit. */
  private async halt(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    child.kill('SIGCONT');
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const escalate = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, STOP_TIMEOUT_MS);
    });
    await Promise.race([this.exited, escalate]);
    clearTimeout(timer);
    await this.exited;
  }
}

/** A free TCP port whose cluster bus port (port + 10000) is valid and free too. */
async function freeClusterPort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await freePort('tcp');
    if (port + CLUSTER_BUS_OFFSET > 65_535) continue;
    if (await canListen(port + CLUSTER_BUS_OFFSET)) return port;
  }
  throw new Error('no free port pair (port, port + 10000) found for a redis cluster node');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: HOST, port }, () => server.close(() => resolve(true)));
  });
}

function execFileBounded(file: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/**
 * Sends one command and returns its reply as text (simple string, bulk
 * string or integer); an error reply rejects. Bounded by a 2 s deadline.
 * Enough RESP for PING and CLUSTER INFO, so the testkit needs no client library.
 */
function redisCommand(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: HOST, port });
    let buffer = Buffer.alloc(0);
    const finish = (error: Error | undefined, value?: string): void => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(value as string);
    };
    const timer = setTimeout(() => finish(new Error(`redis ${args[0]} on port ${port} timed out`)), 2_000);
    socket.once('error', (error) => finish(error));
    socket.once('connect', () => {
      socket.write(`*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`);
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const lineEnd = buffer.indexOf('\r\n');
      if (lineEnd < 0) return;
      const line = buffer.subarray(1, lineEnd).toString('utf8');
      switch (String.fromCharCode(buffer[0] as number)) {
        case '+':
        case ':':
          return finish(undefined, line);
        case '-':
          return finish(new Error(line));
        case '$': {
          const length = Number(line);
          if (length < 0) return finish(undefined, '');
          if (buffer.length < lineEnd + 2 + length) return;
          return finish(undefined, buffer.subarray(lineEnd + 2, lineEnd + 2 + length).toString('utf8'));
        }
        default:
          return finish(new Error(`unexpected redis reply: ${line}`));
      }
    });
  });
}
