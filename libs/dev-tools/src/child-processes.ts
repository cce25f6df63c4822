import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/** A child process under test: its output so far and a bounded wait for its exit. */
export interface Child {
  readonly process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Whether it has exited (code or signal known). */
  exited(): boolean;
  /** Resolves with the exit code (null when killed by a signal); rejects after `timeoutMs`. */
  exit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Keep the tail of a stream only: enough for a failure message, bounded memory. */
const KEEP_CHARS = 64 * 1024;

/**
 * Spawns processes and kills whatever is still running at `killAll()` (call it
 * in afterEach/afterAll): SIGKILL, then waits (bounded) for each exit.
 */
export class Children {
  private readonly running = new Set<Child>();

  spawn(command: string, args: readonly string[], options: SpawnOptions = {}): Child {
    const proc = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let out = '';
    let err = '';
    proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out = (out + chunk).slice(-KEEP_CHARS)));
    proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err = (err + chunk).slice(-KEEP_CHARS)));
    let result: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      // 'close' comes after the output streams ended, so stdout()/stderr() are complete by then.
      proc.once('close', (code, signal) => resolve((result = { code, signal })));
      proc.once('error', (error) => {
        err += `\nspawn failed: ${error.message}`;
        resolve((result = { code: null, signal: null }));
      });
    });
    const child: Child = {
      process: proc,
      stdout: () => out,
      stderr: () => err,
      exited: () => result !== undefined,
      exit: (timeoutMs) => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`${command} ${args.join(' ')} did not exit within ${timeoutMs} ms\nstderr: ${err.slice(-2000)}`)),
            timeoutMs,
          );
        });
        return Promise.race([done, late]).finally(() => clearTimeout(timer));
      },
    };
    this.running.add(child);
    void done.then(() => this.running.delete(child));
    return child;
  }

  async killAll(): Promise<void> {
    const children = [...this.running];
    for (const child of children) child.process.kill('SIGKILL');
    await Promise.all(children.map((child) => child.exit(5000).catch(() => undefined)));
  }
}

/** PATH lookup without a shell: the absolute path of `command`, or undefined. */
export function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    const candidate = `${dir}/${command}`;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

