import { spawn } from 'node:child_process';

export interface PromtoolVerdict {
  /** True when promtool accepted the text (exit status 0). */
  readonly ok: boolean;
  /** What promtool printed: the problems it found, one per line. */
  readonly output: string;
}

/**
 * Runs `promtool check metrics` (Prometheus' own linter, Debian package
 * `prometheus`) on Prometheus text exposition, fed on stdin. Rejects if
 * promtool cannot be run or does not finish within `timeoutMs`.
 */
export function promtoolCheckMetrics(text: string, timeoutMs = 10_000): Promise<PromtoolVerdict> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`promtool check metrics did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run promtool: ${error.message}`, { cause: error }));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, output: output.trim() });
    });
    // promtool may exit before reading everything (it stops at a parse error): ignore EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(text);
  });
}
