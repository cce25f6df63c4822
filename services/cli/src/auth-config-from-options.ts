import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { DIGEST_ALGORITHMS, type DigestAlgorithm } from '@presence/core';
import type { DigestAuthConfig, EdgeConfig } from '@presence/edge';
import { UsageError, type Logger, type OptionValues } from '@presence/runtime';
import type { ListenSpec } from '@presence/sip';

/** Shortest key --nonce-key-file may hold: 32 characters of a random key are at least 128 bits. */
const MIN_NONCE_KEY_LENGTH = 32;

/**
 * --auth and its companions as the edge's configuration, naming the option
 * at fault. `--auth none` with a listen address other than loopback is
 * refused unless --insecure is given: anyone reaching it could register,
 * publish and subscribe as anyone.
 */
export function authConfigFromOptions(values: OptionValues, listen: readonly ListenSpec[]): EdgeConfig['auth'] {
  const mode = (values.auth as string).trim().toLowerCase();
  if (mode === 'none') {
    const exposed = listen.filter((spec) => !isLoopback(spec.host));
    if (exposed.length > 0 && values.insecure !== true) {
      const where = exposed.map((spec) => `${spec.transport}:${spec.host}:${spec.port}`).join(', ');
      throw new UsageError(`--auth none: refusing to serve without authentication on ${where} (not loopback); add --insecure to accept that anyone reaching it may act for any AOR`);
    }
    return 'none';
  }
  if (mode !== 'digest') throw new UsageError(`--auth: expected digest or none, got "${values.auth as string}"`);
  const config: DigestAuthConfig = {
    realms: parseRealms((values.realm as string | undefined) ?? ''),
    algorithms: parseAlgorithms(values['auth-algorithms'] as string),
    nonceLifetimeMs: (values['nonce-lifetime'] as number) * 1000,
    lockout: { maxFailures: values['auth-max-failures'] as number, lockoutMs: (values['auth-lockout'] as number) * 1000 },
  };
  const keyFile = values['nonce-key-file'] as string | undefined;
  return keyFile ? { ...config, nonceKey: readNonceKey(keyFile) } : config;
}

/** The warning every start without authentication logs. */
export function warnIfUnauthenticated(config: EdgeConfig, logger: Logger): void {
  if (config.auth !== 'none') return;
  logger.warn(
    { listen: config.listen.map((spec) => `${spec.transport}:${spec.host}:${spec.port}`) },
    'authentication is off (--auth none): anyone who reaches these addresses may register, publish and subscribe as any AOR',
  );
}

/** `example.com=Example Realm,example.org=org`: realm per domain. */
function parseRealms(text: string): Map<string, string> {
  const realms = new Map<string, string>();
  for (const item of text.split(',')) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    const domain = (eq === -1 ? '' : item.slice(0, eq)).trim().toLowerCase();
    const realm = eq === -1 ? '' : item.slice(eq + 1).trim();
    if (domain === '' || realm === '') throw new UsageError(`--realm: expected DOMAIN=REALM, got "${item.trim()}"`);
    // As `presence user --realm` takes them: no quotes, backslashes or control characters (it is a quoted-string on the wire).
    if (/["\\\x00-\x1f\x7f]/.test(realm)) throw new UsageError(`--realm: the realm of ${domain} holds a quote, backslash or control character`);
    if (realms.has(domain)) throw new UsageError(`--realm: ${domain} is given twice`);
    realms.set(domain, realm);
  }
  return realms;
}

/** `SHA-256,MD5`: offered in that order. */
function parseAlgorithms(text: string): DigestAlgorithm[] {
  const algorithms: DigestAlgorithm[] = [];
  for (const item of text.split(',')) {
    const name = item.trim().toUpperCase();
    const algorithm = DIGEST_ALGORITHMS.find((known) => known === name);
    if (algorithm === undefined) throw new UsageError(`--auth-algorithms: expected ${DIGEST_ALGORITHMS.join(' or ')}, got "${item.trim()}"`);
    if (algorithms.includes(algorithm)) throw new UsageError(`--auth-algorithms: ${algorithm} is given twice`);
    algorithms.push(algorithm);
  }
  return algorithms;
}

function readNonceKey(file: string): string {
  let key: string;
  try {
    key = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new UsageError(`--nonce-key-file: cannot read ${file}: ${(error as Error).message}`);
  }
  if (key.length < MIN_NONCE_KEY_LENGTH) throw new UsageError(`--nonce-key-file: ${file} holds ${key.length} characters, at least ${MIN_NONCE_KEY_LENGTH} are needed`);
  return key;
}

/** An IPv4 127/8, ::1 or IPv4-mapped loopback address (a host name is not: it may resolve anywhere). */
export function isLoopback(host: string): boolean {
  if (isIPv4(host)) return host.startsWith('127.');
  const lower = host.toLowerCase();
  return lower === '::1' || (lower.startsWith('::ffff:') && isIPv4(lower.slice(7)) && lower.slice(7).startsWith('127.'));
}
