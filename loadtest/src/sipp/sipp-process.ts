import { spawn, type ChildProcess } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { which } from '@presence/dev-tools';
import { sleep } from '@presence/dev-tools';
import { statFields } from '../probes/process-tree.js';
import { lastSippStats, parseSippLogLine, type SippLogLine } from './sipp-log.js';

/** The scenarios ship in loadtest/sipp/; this file runs from src/sipp (tests) or dist/sipp (build). */
export const SIPP_SCENARIOS = fileURLToPath(new URL('../../sipp/', import.meta.url));
export const SIPP_INSTALL_HINT = 'install SIPp (Debian/Ubuntu: apt-get install sip-tester)';
const STOP_GRACE_MS = 5_000;
const KEEP_OUTPUT_CHARS = 8 * 1024;
const TICKS_PER_SECOND = 100;
/**
 * Socket buffers SIPp asks for (-buff_size; its default is 64 kB), as the
 * native generator's UDP sockets do: a PUBLISH fans out W NOTIFYs at once,
 * and a burst the kernel drops comes back as a 500 ms retransmission that
 * would be charged to the server's latency. Linux caps it at net.core.rmem_max.
 */
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

export function findSipp(): string | undefined {
  return which('sipp') ?? undefined;
}

/** The scenarios in loadtest/sipp/, by file name without .xml. */
export type SippScenario = 'watcher' | 'publisher' | 'publish-new' | 'subscribe-setup';

/** One SIPp process running a scenario; its log and statistics files are read while it runs. */
export class SippProcess {
  private output = '';
  private readonly exited: Promise<number | null>;
  private hasExited = false;

  private constructor(
    readonly label: string,
    private readonly proc: ChildProcess,
    readonly logFile: string,
    private readonly statFile: string,
  ) {
    const append = (chunk: string): void => void (this.output = (this.output + chunk).slice(-KEEP_OUTPUT_CHARS));
    proc.stderr?.setEncoding('utf8').on('data', append);
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code) => resolve(code));
      proc.once('error', (error) => {
        append(`spawn failed: ${error.message}`);
        resolve(null);
      });
    });
    void this.exited.then(() => (this.hasExited = true));
  }

  /**
   * Starts `sipp -sf loadtest/sipp/<scenario>.xml` with logs (-trace_logs)
   * and statistics every second (-trace_stat -fd 1) into files named after
   * `prefix`, so they can be read while it runs, and errors to a file.
   */
  static start(label: string, scenario: SippScenario, prefix: string, args: readonly string[]): SippProcess {
    const binary = findSipp();
    if (binary === undefined) throw new Error(`--generator sipp: sipp not found on PATH (${SIPP_INSTALL_HINT})`);
    const logFile = `${prefix}.log`;
    const statFile = `${prefix}-stat.csv`;
    const fullArgs = [
      '-sf', `${SIPP_SCENARIOS}${scenario}.xml`,
      '-trace_logs', '-log_file', logFile,
      '-trace_stat', '-stf', statFile, '-fd', '1',
      '-trace_err', '-error_file', `${prefix}-errors.log`,
      '-nostdin',
      '-buff_size', String(SOCKET_BUFFER_BYTES),
      ...args,
    ];
    // stdout is SIPp's screen, redrawn every second: not read, so not kept.
    const proc = spawn(binary, fullArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
    return new SippProcess(label, proc, logFile, statFile);
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get running(): boolean {
    return !this.hasExited;
  }

  /** Resolves with the exit code once SIPp exits by itself, or undefined after `timeoutMs`. */
  async waitExit(timeoutMs: number): Promise<number | null | undefined> {
    return Promise.race([this.exited, sleep(timeoutMs).then(() => undefined)]);
  }

  /** SIGTERM (SIPp writes its last statistics row), SIGKILL if still there after a grace period. */
  async stop(): Promise<void> {
    if (this.hasExited) return;
    this.proc.kill('SIGTERM');
    if ((await this.waitExit(STOP_GRACE_MS)) !== undefined) return;
    this.proc.kill('SIGKILL');
    await this.exited;
  }

  /** The last row of its statistics file, by column name; empty before the first row. */
  async stats(): Promise<Readonly<Record<string, number>>> {
    return lastSippStats(await readFile(this.statFile, 'utf8').catch(() => ''));
  }

  /** CPU seconds it has used so far (user + system), undefined once gone. */
  async cpuSeconds(): Promise<number | undefined> {
    const fields = this.proc.pid === undefined ? undefined : await statFields(this.proc.pid);
    return fields === undefined ? undefined : (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  }

  describe(): string {
    return `${this.label} (pid ${this.proc.pid ?? '?'}${this.hasExited ? ', exited' : ''}): ${this.output.trim().slice(-1000) || 'no output'}`;
  }
}

/** Reads a growing log file from where it left off; a line still being written waits for the next read. */
export class LogTail {
  private offset = 0;
  private partial = '';

  constructor(private readonly path: string) {}

  async readLines(): Promise<SippLogLine[]> {
    let handle;
    try {
      handle = await open(this.path, 'r');
    } catch {
      return []; // not created yet
    }
    try {
      const { size } = await handle.stat();
      if (size <= this.offset) return [];
      const buffer = Buffer.alloc(size - this.offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
      this.offset += bytesRead;
      const text = this.partial + buffer.subarray(0, bytesRead).toString('utf8');
      const cut = text.lastIndexOf('\n');
      this.partial = text.slice(cut + 1);
      return text
        .slice(0, cut + 1)
        .split('\n')
        .flatMap((line) => parseSippLogLine(line) ?? []);
    } finally {
      await handle.close();
    }
  }
}
