import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway self-signed certificate on disk and in memory. */
export interface TestCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  /** PEM. */
  readonly cert: string;
  readonly key: string;
  /** SHA-256 fingerprint as node prints it (AB:CD:...), to tell certificates apart. */
  readonly fingerprint: string;
}

/**
 * Makes a self-signed P-256 certificate for 127.0.0.1, ::1 and localhost with
 * the openssl command (no npm dependency; `.ci/run` installs it), written as
 * cert.pem and key.pem into `dir` (default: a new temporary directory,
 * removed when the process exits).
 */
export function createTestCertificate(dir: string = temporaryDirectory()): TestCertificate {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
        '-keyout', keyFile, '-out', certFile],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (error) {
    const missing = (error as { code?: string }).code === 'ENOENT';
    throw new Error(missing ? 'openssl not found on PATH (apt-get install openssl): TLS tests make their certificates with it' : `openssl failed: ${String(error)}`);
  }
  const cert = readFileSync(certFile, 'utf8');
  return { certFile, keyFile, cert, key: readFileSync(keyFile, 'utf8'), fingerprint: new X509Certificate(cert).fingerprint256 };
}

let shared: TestCertificate | undefined;

/** One certificate per test process, made on first use and removed when the process exits. */
export function sharedTestCertificate(): TestCertificate {
  shared ??= createTestCertificate();
  return shared;
}

function temporaryDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'presence-tls-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
