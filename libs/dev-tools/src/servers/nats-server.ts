import { startOnFreePort } from './start-on-free-port.js';
import type { ManagedServer } from './managed-server.js';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../free-port.js';
import { sleep } from '../sleep.js';

export interface NatsServerOptions {
  /** Enables JetStream (`-js`) with its store in a fresh temporary directory that restart() keeps and stop() removes. */
  readonly jetstream?: boolean;
  /** Executable to run; default `nats-server` from PATH. */
  readonly binary?: string;
  /** How long one start may take before it fails; default 5 000 ms. */
  readonly startTimeoutMs?: number;
  /** More command-line options (e.g. --cluster and --routes); `clusterPort` is a free port picked with the client port. */
  readonly extraArgs?: (clusterPort: number) => readonly string[];
}

/** A nats-server child process on 127.0.0.1, owned by a test (the JetStream directory is what kill() keeps). */
export type NatsServerProcess = ManagedServer;

const STOP_GRACE_MS = 3_000;
const OUTPUT_TAIL_CHARS = 8_192;
const PORT_ATTEMPTS = 3;

/**
 * Starts `nats-server -a 127.0.0.1 -p <free port> [-js -sd <tmpdir>]` and
 * resolves once it greets a client with INFO. Fails with the server's output
 * when it exits or does not answer within the start timeout. Every started
 * server must be stopped by the test (afterAll/afterEach).
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerProcess> {
  return startOnFreePort(
    PORT_ATTEMPTS,
    async () => {
      const storeDir = options.jetstream === true ? await mkdtemp(join(tmpdir(), 'nats-js-')) : undefined;
      const extraArgs = options.extraArgs?.(await freePort('tcp')) ?? [];
      return new NatsServer(options.binary ?? 'nats-server', await freePort('tcp'), storeDir, options.startTimeoutMs ?? 5_000, extraArgs);
    },
    (error) => error instanceof NatsServerStartError && error.portInUse,
  );
}

class NatsServerStartError extends Error {
  constructor(
    message: string,
    readonly portInUse: boolean,
  ) {
    super(message);
    this.name = 'NatsServerStartError';
  }
}

class NatsServer implements NatsServerProcess {
  readonly url: string;
  private child: ChildProcess | undefined;

  get pid(): number | undefined {
    return this.child?.pid;
  }
  private output = '';
  private exitHook: (() => void) | undefined;

  constructor(
    private readonly binary: string,
    readonly port: number,
    private storeDir: string | undefined,
    private readonly startTimeoutMs: number,
    private readonly extraArgs: readonly string[],
  ) {
    this.url = `nats://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    const args = ['-a', '127.0.0.1', '-p', String(this.port)];
    if (this.storeDir !== undefined) args.push('-js', '-sd', this.storeDir);
    args.push(...this.extraArgs);
    this.output = '';
    const child = spawn(this.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const record = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on('data', record);
    child.stderr?.on('data', record);
    let spawnError: Error | undefined;
    child.once('error', (error) => {
      spawnError = error;
    });
    // A test runner that dies without afterAll must not leave the server behind.
    this.exitHook = () => child.kill('SIGKILL');
    process.once('exit', this.exitHook);

    const deadline = Date.now() + this.startTimeoutMs;
    for (;;) {
      if (spawnError !== undefined) throw new NatsServerStartError(`cannot run ${this.binary}: ${spawnError.message}`, false);
      if (hasExited(child)) {
        const portInUse = /address already in use/i.test(this.output);
        throw new NatsServerStartError(`nats-server on port ${this.port} exited at start (${describeExit(child)}):\n${this.output}`, portInUse);
      }
      if (await greets(this.port, Math.max(50, Math.min(500, deadline - Date.now())))) {
        if (!hasExited(child)) return;
        continue;
      }
      if (Date.now() >= deadline) {
        throw new NatsServerStartError(`nats-server on port ${this.port} did not accept connections within ${this.startTimeoutMs} ms:\n${this.output}`, false);
      }
      await sleep(20);
    }
  }

  async stop(): Promise<void> {
    await this.terminate();
    if (this.storeDir !== undefined) {
      await rm(this.storeDir, { recursive: true, force: true });
      this.storeDir = undefined;
    }
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    if (!hasExited(child)) child.kill('SIGKILL');
    await exited(child);
    this.forget();
  }

  async restart(): Promise<void> {
    await this.terminate();
    await this.start();
  }

  /** SIGTERM, SIGKILL after the grace time; resolves once the process is gone. */
  private async terminate(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    if (!hasExited(child)) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      try {
        await exited(child);
      } finally {
        clearTimeout(timer);
      }
    }
    this.forget();
  }

  private forget(): void {
    if (this.exitHook !== undefined) process.removeListener('exit', this.exitHook);
    this.exitHook = undefined;
    this.child = undefined;
  }
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function describeExit(child: ChildProcess): string {
  return child.signalCode !== null ? `signal ${child.signalCode}` : `code ${String(child.exitCode)}`;
}

function exited(child: ChildProcess): Promise<void> {
  if (hasExited(child) || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** True when something on the port sends a NATS INFO line within `timeoutMs`. */
function greets(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\n')) finish(received.startsWith('INFO '));
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}
