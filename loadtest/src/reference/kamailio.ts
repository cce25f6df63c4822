import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { accessSync, constants, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from '@presence/dev-tools';

/**
 * Launcher for the reference presence server the benchmark compares ours
 * against: Kamailio 5.6 with its presence module, configured by
 * loadtest/reference/kamailio-presence.cfg (see the README there).
 */

export interface KamailioOptions {
  /** Port for both UDP and TCP (the config listens on both). */
  sipPort: number;
  /** Listen address; default 127.0.0.1 (benchmarks stay on loopback). */
  host?: string;
  /**
   * Shared memory in MB (-m). Subscriptions, presentities and transactions
   * all live there with the in-memory settings; Kamailio's 64 MB default runs
   * out under benchmark-sized populations.
   */
  sharedMemoryMb?: number;
  /** Private memory per process in MB (-M); default 16 (Kamailio's is 8). */
  privateMemoryMb?: number;
  /** How long to wait for the first OPTIONS answer; default 15 s. */
  startTimeoutMs?: number;
  /**
   * Kamailio's `debug` level (the config's LOG_LEVEL define). Default -1:
   * errors only, so start-up failures are explained; -2 also silences the
   * few per-request ERROR lines (initial NOTIFY of a never-published
   * presentity, PUBLISH with a stale SIP-If-Match).
   */
  logLevel?: number;
  /**
   * UDP worker processes (`children`, the config's UDP_WORKERS define); also
   * the TCP workers. Default 4: the tuned reference on the 2-core bench box.
   */
  udpWorkers?: number;
}

export interface KamailioServer {
  readonly host: string;
  readonly port: number;
  /** The main Kamailio process; it leads the process group of all its workers. */
  readonly pid: number;
  /** Kamailio's stdout and stderr so far (bounded tail), for failure reports. */
  output(): string;
  /** SIGTERM to the whole instance; resolves once none of its processes is left. */
  stop(): Promise<void>;
}

/** Where the Debian packages put the binary; /usr/sbin is often not on a user's PATH. */
const FALLBACK_BINARIES = ['/usr/sbin/kamailio', '/usr/local/sbin/kamailio'];
const INSTALL_HINT = 'install the Debian packages: apt-get install -y kamailio kamailio-presence-modules';
/** The config ships in the repo; this file runs from src/reference (tests) or dist/reference (build). */
export const KAMAILIO_CONFIG = fileURLToPath(new URL('../../reference/kamailio-presence.cfg', import.meta.url));
/** Keep only the tail of Kamailio's output: enough for an error message, bounded memory. */
const KEEP_CHARS = 64 * 1024;
const PROBE_INTERVAL_MS = 100;
const STOP_GRACE_MS = 10_000;
const KILL_GRACE_MS = 5_000;
const DEFAULT_UDP_WORKERS = 4;
const MIN_SHARED_MEMORY_MB = 256;
/** Generous shared memory per subscription (dialog, watcher record). */
const SHARED_BYTES_PER_SUBSCRIPTION = 4096;
/**
 * Shared memory per tm transaction: a PUBLISH/SUBSCRIBE server transaction
 * (cell of ~8.3 kB plus the ~4 kB request clone) or a NOTIFY client
 * transaction. Measured with `kamcmd core.shmmem` (ctl module) at 500
 * PUBLISH/s x 10 watchers: ~340 MB in use for ~27,500 live transactions,
 * about 12.5 kB each; 16 kB leaves room for fragmentation (q_malloc).
 */
const SHARED_BYTES_PER_TRANSACTION = 16 * 1024;
/**
 * How long a completed transaction keeps its memory: tm's wait timer
 * (wt_timer, 5 s by default) holds every finished cell, UAC NOTIFYs too.
 */
const TRANSACTION_LINGER_S = 5;
/** SUBSCRIBE dialogs/s a subscribe phase reaches on the bench box (about 6,000, issue #17); each one is a SUBSCRIBE and a NOTIFY transaction. */
const SUBSCRIBE_BURST_PER_S = 6000;
const MAX_SHARED_MEMORY_MB = 4096;

/**
 * Shared memory (-m) for a population of `subscriptions` driven at
 * `publishRate` PUBLISH/s with `watchers` per presentity. The transactions in
 * flight dominate, not the state: each second of load leaves
 * TRANSACTION_LINGER_S seconds of cells behind, so at 500 PUBLISH/s x 10 the
 * 296 MB once sized from the population alone ran out ("qm_find_free: Free
 * fragment not found", "new_t(): out of mem") and 11 % of PUBLISHes got 500.
 */
export function sharedMemoryMbFor(subscriptions: number, publishRate = 0, watchers = 0): number {
  const transactionsPerS = Math.max(publishRate * (1 + watchers), 2 * Math.min(subscriptions, SUBSCRIBE_BURST_PER_S));
  const bytes = subscriptions * SHARED_BYTES_PER_SUBSCRIPTION + transactionsPerS * TRANSACTION_LINGER_S * SHARED_BYTES_PER_TRANSACTION;
  return Math.min(MAX_SHARED_MEMORY_MB, MIN_SHARED_MEMORY_MB + Math.ceil(bytes / 2 ** 20));
}

/** Kamailio's own maxbuffer default, used where the kernel's limit cannot be read. */
const KAMAILIO_DEFAULT_MAXBUFFER = 262_144;

/**
 * The kernel's cap on a socket receive buffer (net.core.rmem_max): the
 * tuned reference raises Kamailio's maxbuffer to it, so its UDP socket
 * takes bursts as the operator's sysctl allows.
 */
export function kernelReceiveBufferMax(): number {
  try {
    const value = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim());
    return Number.isInteger(value) && value > 0 ? value : KAMAILIO_DEFAULT_MAXBUFFER;
  } catch {
    return KAMAILIO_DEFAULT_MAXBUFFER;
  }
}

/** The Kamailio binary (PATH first, then the Debian location), or undefined when not installed. */
export function findKamailio(): string | undefined {
  const onPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'kamailio'));
  return [...onPath, ...FALLBACK_BINARIES].find(isExecutable);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts Kamailio in the foreground as its own process group, waits until it
 * answers OPTIONS over UDP and returns a handle whose `stop()` leaves no
 * Kamailio process of this instance behind. Runtime files (pid file, runtime
 * dir, the throwaway db_text directory the presence module insists on) go to
 * a temp dir that `stop()` removes; nothing is written into the repository.
 */
export async function startKamailio(options: KamailioOptions): Promise<KamailioServer> {
  const binary = findKamailio();
  if (binary === undefined) {
    throw new Error(`kamailio not found on PATH nor in ${FALLBACK_BINARIES.join(', ')}: ${INSTALL_HINT}`);
  }
  const host = options.host ?? '127.0.0.1';
  const port = options.sipPort;
  const runDir = await mkdtemp(join(tmpdir(), 'kamailio-presence-'));
  // Empty on purpose: with publ_cache=2 and subs_db_mode=0 the presence
  // modules only open the connection; no table is read or written.
  const dbDir = join(runDir, 'db');
  await mkdir(dbDir);

  const listenHost = host.includes(':') ? `[${host}]` : host;
  const workers = options.udpWorkers ?? DEFAULT_UDP_WORKERS;
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`startKamailio: udpWorkers must be a positive integer, got ${workers}`);
  const args = [
    '-f', KAMAILIO_CONFIG,
    // -DD: stay in the foreground (no daemon) so the process we spawn is the
    // main process and its exit is observable; -E: log to stderr, not syslog.
    '-DD', '-E',
    // Runtime dir and working dir (where a crashing worker's core file lands:
    // the default is /) both inside the temp dir that stop() removes.
    '-Y', runDir,
    '-w', runDir,
    '-P', join(runDir, 'kamailio.pid'),
    '-m', String(options.sharedMemoryMb ?? MIN_SHARED_MEMORY_MB),
    '-M', String(options.privateMemoryMb ?? 16),
    '-A', `SIP_HOST=${listenHost}`,
    '-A', `SIP_PORT=${port}`,
    '-A', `DB_URL="text://${dbDir}"`,
    '-A', `LOG_LEVEL=${options.logLevel ?? -1}`,
    '-A', `UDP_WORKERS=${workers}`,
    '-A', `TCP_WORKERS=${workers}`,
    '-A', `MAX_RCV_BUF=${kernelReceiveBufferMax()}`,
  ];
  // detached: a new process group led by the main process. Kamailio forks its
  // workers into that group, so one group-wide signal reaches all of them.
  const proc = spawn(binary, args, { cwd: runDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const append = (chunk: string): void => {
    output = (output + chunk).slice(-KEEP_CHARS);
  };
  proc.stdout?.setEncoding('utf8').on('data', append);
  proc.stderr?.setEncoding('utf8').on('data', append);

  const exited = new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    proc.once('error', (error) => {
      append(`\nspawn failed: ${error.message}`);
      resolve();
    });
  });
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  // 'close' comes once every holder of the output pipes (the workers too) is
  // gone, so the output is complete for an error message.
  const closed = new Promise<void>((resolve) => proc.once('close', () => resolve()));

  const pid = proc.pid;
  // Kamailio runs in its own process group, so it neither sees the terminal's
  // Ctrl-C nor dies with us: a parent that exits (normally or by
  // process.exit()) without stop() kills the group synchronously on the way out.
  const killOnExit = (): void => {
    if (pid !== undefined) signalGroup(pid, 'SIGKILL');
    rmSync(runDir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      try {
        if (pid !== undefined) await stopGroup(proc, pid, exited, () => hasExited);
      } finally {
        process.removeListener('exit', killOnExit);
        await rm(runDir, { recursive: true, force: true });
      }
    })();
    return stopping;
  };

  try {
    if (pid === undefined) {
      await exited;
      throw new Error('spawn returned no pid');
    }
    await waitForOptions(host, port, options.startTimeoutMs ?? 15_000, () => hasExited);
  } catch (error) {
    await stop().catch(() => undefined);
    await Promise.race([closed, sleep(1000)]);
    const hint = /could not find module|failed to load module|load_module/i.test(output) ? ` (${INSTALL_HINT})` : '';
    throw new Error(
      `Kamailio (${binary} -f ${KAMAILIO_CONFIG}) did not come up on udp:${host}:${port}: ${(error as Error).message}${hint}\n` +
        `--- kamailio output (tail) ---\n${output.slice(-4000)}`,
    );
  }
  return { host, port, pid, output: () => output, stop };
}

/**
 * SIGTERM to the main process (it tells its workers to exit and reaps them),
 * or to the whole group if the main process is already gone and workers may
 * be orphaned; then wait until no process of the group is left. A group still
 * there after the grace period gets SIGKILL.
 */
async function stopGroup(proc: ChildProcess, pgid: number, exited: Promise<void>, hasExited: () => boolean): Promise<void> {
  if (hasExited()) signalGroup(pgid, 'SIGTERM');
  else proc.kill('SIGTERM');
  if (await groupGone(pgid, exited, STOP_GRACE_MS)) return;
  signalGroup(pgid, 'SIGKILL');
  if (await groupGone(pgid, exited, KILL_GRACE_MS)) return;
  throw new Error(`Kamailio process group ${pgid} still has processes after SIGTERM and SIGKILL`);
}

/** Whether, within `timeoutMs`, the main process exited and no process of the group is left. */
async function groupGone(pgid: number, exited: Promise<void>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const mainExited = await Promise.race([exited.then(() => true), sleep(timeoutMs).then(() => false)]);
  if (!mainExited) return false;
  // Workers can outlive the main process by a moment (or be orphaned if it was
  // SIGKILLed): poll the group until the kernel has no member left.
  while (groupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/** kill(-pgid, 0) fails with ESRCH once no process of the group exists. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/**
 * Sends OPTIONS over UDP every PROBE_INTERVAL_MS until a 200 with our Call-ID
 * comes back: only then are the workers reading the socket (the "Listening
 * on" banner comes earlier, before the modules' child init).
 */
async function waitForOptions(host: string, port: number, timeoutMs: number, hasExited: () => boolean): Promise<void> {
  const family = host.includes(':') ? 'udp6' : 'udp4';
  const socket = createSocket(family);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: host, port: 0 }, () => {
        socket.removeListener('error', reject);
        resolve();
      });
    });
    const callId = `${randomBytes(8).toString('hex')}@kamailio-probe`;
    const answered = new Promise<void>((resolve) => {
      socket.on('message', (data) => {
        const text = data.toString('utf8');
        if (/^SIP\/2\.0 200 /.test(text) && text.includes(callId)) resolve();
      });
    });
    socket.on('error', () => undefined); // e.g. ICMP port unreachable before Kamailio binds
    const deadline = Date.now() + timeoutMs;
    let done = false;
    void answered.then(() => (done = true));
    for (let cseq = 1; !done; cseq++) {
      if (hasExited()) throw new Error('kamailio exited during start-up');
      if (Date.now() >= deadline) throw new Error(`no 200 to OPTIONS within ${timeoutMs} ms`);
      socket.send(optionsRequest(host, port, socket.address().port, callId, cseq), port, host);
      await Promise.race([answered, sleep(PROBE_INTERVAL_MS)]);
    }
  } finally {
    socket.close();
  }
}

function optionsRequest(host: string, port: number, localPort: number, callId: string, cseq: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return [
    `OPTIONS sip:${h}:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP ${h}:${localPort};branch=z9hG4bK${randomBytes(8).toString('hex')};rport`,
    'Max-Forwards: 70',
    `From: <sip:probe@${h}>;tag=${randomBytes(4).toString('hex')}`,
    `To: <sip:${h}:${port}>`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} OPTIONS`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
