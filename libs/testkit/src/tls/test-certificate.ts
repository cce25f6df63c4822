import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A throwaway self-signed certificate on disk and in memory. */
export interface TestCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  /** PEM. */
  readonly cert: string;
  readonly key: string;
  /** SHA-256 fingerprint as node prints it (AB:CD:...), to tell certificates apart. */
  readonly fingerprint: string;
  /** Deletes the directory holding the files (test processes are killed at the end: no exit hook would run). */
  remove(): void;
}

/**
 * Makes a self-signed P-256 certificate for 127.0.0.1, ::1 and localhost with
 * the openssl command (no npm dependency; `.ci/run` installs it), written as
 * cert.pem and key.pem into a new temporary directory: `remove()` it when done.
 */
export function createTestCertificate(days = 2): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'presence-tls-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', String(days),
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const missing = (error as { code?: string }).code === 'ENOENT';
    throw new Error(missing ? 'openssl not found on PATH (apt-get install openssl): TLS tests make their certificates with it' : `openssl failed: ${String(error)}`);
  }
  return certificateIn(dir);
}

let shared: TestCertificate | undefined;

/**
 * One certificate for every test process, in one fixed temporary directory
 * kept across runs (made once, valid ten years: it is trusted by nothing but
 * these tests), so test processes leave nothing behind. Its `remove()` does
 * nothing.
 */
export function sharedTestCertificate(): TestCertificate {
  shared ??= { ...loadOrCreateShared(), remove: () => undefined };
  return shared;
}

function loadOrCreateShared(): TestCertificate {
  const dir = join(tmpdir(), `presence-test-certificate-${process.getuid?.() ?? 'user'}`);
  if (!existsSync(join(dir, 'cert.pem'))) {
    const fresh = createTestCertificate(3650);
    try {
      renameSync(dirname(fresh.certFile), dir); // atomic: a concurrent test process sees all of it or none
    } catch {
      fresh.remove(); // another process put its own there first
    }
  }
  return certificateIn(dir);
}

function certificateIn(dir: string): TestCertificate {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const cert = readFileSync(certFile, 'utf8');
  return {
    certFile,
    keyFile,
    cert,
    key: readFileSync(keyFile, 'utf8'),
    fingerprint: new X509Certificate(cert).fingerprint256,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
