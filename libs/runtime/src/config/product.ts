import { readFileSync } from 'node:fs';

const FALLBACK = 'sip-presence';
let cached: string | undefined;

/**
 * `sip-presence/0.1.0`: name and version of the root package.json, read on
 * first use (not at import) and remembered. Our default Server and
 * User-Agent header (RFC 3261 §20.35, §20.41). If the file cannot be read
 * (an unusual packaging), the bare name.
 */
export function productToken(): string {
  if (cached === undefined) cached = readProductToken(new URL('../../../../package.json', import.meta.url));
  return cached;
}

/** The release, e.g. `0.1.0` (what `--version` prints and /healthz reports); `unknown` if the package.json could not be read. */
export function productVersion(): string {
  const token = productToken();
  const slash = token.indexOf('/');
  return slash === -1 ? 'unknown' : token.slice(slash + 1);
}

/** `name/version` of a package.json, or the bare product name when it is missing or unreadable. */
export function readProductToken(packageJson: URL): string {
  try {
    const { name, version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { name?: unknown; version?: unknown };
    if (typeof name === 'string' && typeof version === 'string' && /^[\w.!%*+`'~-]+$/.test(`${name}${version}`)) return `${name}/${version}`;
  } catch {
    // fall through to the bare name
  }
  return FALLBACK;
}
