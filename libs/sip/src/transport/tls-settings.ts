import { isIP } from 'node:net';
import { createSecureContext, type ConnectionOptions, type SecureContextOptions, type TlsOptions } from 'node:tls';

/** A PEM certificate chain and its private key. */
export interface TlsCertificate {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}

export interface SipTlsOptions {
  /**
   * Presented by tls and wss listeners; required when one is configured.
   * SipStack.reloadCertificate replaces it for new connections.
   */
  readonly certificate?: TlsCertificate;
  /**
   * CA certificates (PEM) that the connections we open over tls/wss check
   * the peer against (its name or IP address included). Absent: those
   * connections are encrypted but the peer is not verified, as Kamailio's
   * default `verify_certificate=no`: the peers we dial are user agents whose
   * Contact asked for it, and a UA's certificate is rarely one we could check.
   */
  readonly trustedCa?: string | Buffer;
}

/** TLS 1.0 and 1.1 are deprecated (RFC 8996). */
const MIN_VERSION = 'TLSv1.2';

/** A client that connects and never completes the handshake holds a socket no longer than this. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** Options of a tls.Server (or https.Server) presenting `certificate`; also what setSecureContext takes. */
export function serverTlsOptions(certificate: TlsCertificate): TlsOptions {
  return { cert: certificate.cert, key: certificate.key, minVersion: MIN_VERSION, handshakeTimeout: HANDSHAKE_TIMEOUT_MS };
}

/** Options of a connection we open to `host`: SNI for names (never for IP literals, RFC 6066 §3). */
export function clientTlsOptions(host: string, trustedCa: string | Buffer | undefined): ConnectionOptions {
  return {
    minVersion: MIN_VERSION,
    servername: isIP(host) === 0 ? host : undefined,
    ca: trustedCa,
    rejectUnauthorized: trustedCa !== undefined,
  };
}

/**
 * Why `certificate` cannot be served, naming the part at fault ("certificate:
 * ...", "private key: ...", or a key that does not belong to the
 * certificate); undefined when it can.
 */
export function certificateProblem(certificate: TlsCertificate): string | undefined {
  if (certificate.cert.length === 0) return 'certificate: empty';
  if (certificate.key.length === 0) return 'private key: empty';
  return (
    contextProblem('certificate', { cert: certificate.cert }) ??
    contextProblem('private key', { key: certificate.key }) ??
    contextProblem('certificate and private key', { cert: certificate.cert, key: certificate.key })
  );
}

function contextProblem(what: string, options: SecureContextOptions): string | undefined {
  try {
    createSecureContext(options);
    return undefined;
  } catch (error) {
    return `${what}: ${error instanceof Error ? error.message : String(error)}`;
  }
}
