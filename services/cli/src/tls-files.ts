import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UsageError, type OptionValues, type Reload } from '@presence/runtime';
import { certificateProblem, isSecureTransport, type ListenSpec, type TlsCertificate } from '@presence/sip';

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** --tls-cert and --tls-key: both or neither, and given exactly when --listen has a tls or wss listener or XCAP is served over HTTPS. */
export function tlsFilesFromOptions(values: OptionValues, listen: readonly ListenSpec[], xcapHttps = false): TlsFiles | undefined {
  const certFile = values['tls-cert'] as string | undefined;
  const keyFile = values['tls-key'] as string | undefined;
  const secure = listen.find((spec) => isSecureTransport(spec.transport));
  if (secure === undefined && !xcapHttps) {
    if (certFile !== undefined || keyFile !== undefined) throw new UsageError('--tls-cert and --tls-key serve tls and wss listeners and https: XCAP, and there is none');
    return undefined;
  }
  const listener = secure === undefined ? 'https: in --xcap-listen' : `the ${secure.transport} listener in --listen`;
  if (certFile === undefined) throw new UsageError(`--tls-cert FILE is required by ${listener}`);
  if (keyFile === undefined) throw new UsageError(`--tls-key FILE is required by ${listener}`);
  return { certFile, keyFile };
}

/** Reads and checks both files; the error names the option and the file at fault. */
export function readCertificate(files: TlsFiles): TlsCertificate {
  const certificate = { cert: readPem('--tls-cert', files.certFile), key: readPem('--tls-key', files.keyFile) };
  const problem = certificateProblem(certificate);
  if (problem === undefined) return certificate;
  if (problem.startsWith('certificate: ')) throw new Error(`--tls-cert ${files.certFile}: ${problem}`);
  if (problem.startsWith('private key: ')) throw new Error(`--tls-key ${files.keyFile}: ${problem}`);
  throw new Error(`--tls-cert ${files.certFile} and --tls-key ${files.keyFile}: ${problem}`);
}

/** readCertificate at start-up: a usage error (exit 2). */
export function startupCertificate(files: TlsFiles | undefined): TlsCertificate | undefined {
  if (files === undefined) return undefined;
  try {
    return readCertificate(files);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** What SIGHUP does for a SIP role: re-read the files and serve the certificate on new connections. */
export function certificateReload(files: TlsFiles | undefined, target: { reloadCertificate(certificate: TlsCertificate): void }): Reload | undefined {
  if (files === undefined) return undefined;
  return async () => {
    const certificate = readCertificate(files);
    target.reloadCertificate(certificate);
    return { tlsCert: files.certFile, fingerprint: new X509Certificate(certificate.cert).fingerprint256 };
  };
}

function readPem(option: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${option} ${file}: cannot read it (${(error as { code?: string }).code ?? String(error)})`);
  }
}
