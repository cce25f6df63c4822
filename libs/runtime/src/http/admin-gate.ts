import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { AdminAccess, AdminReply } from './admin-api.js';
import { adminError } from './admin-api.js';

/** True for an address only this machine can reach: 127.0.0.0/8, ::1, and 127.x mapped into IPv6. */
export function isLoopbackAddress(address: string): boolean {
  if (isIP(address) === 4) return address.startsWith('127.');
  const lower = address.toLowerCase();
  return lower === '::1' || lower.startsWith('::ffff:127.');
}

/**
 * Whether an admin request may go on: undefined if so, else the refusal.
 * A configured token is always required (401 without it or with another).
 * Without one, the API answers only where nobody else can reach it: on a
 * loopback bind; anywhere else it is off (403 saying why), since anyone who
 * reaches the port could drain agents and read every presentity.
 */
export function adminRefusal(access: AdminAccess, boundAddress: string, authorization: string | undefined): AdminReply | undefined {
  if (access.token !== undefined) {
    const given = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (given === undefined) return adminError(401, 'admin API: a bearer token is required (Authorization: Bearer TOKEN, the content of --admin-token-file)');
    if (!sameSecret(given, access.token)) return adminError(401, 'admin API: wrong bearer token');
    return undefined;
  }
  if (isLoopbackAddress(boundAddress)) return undefined;
  return adminError(
    403,
    `admin API disabled: --http binds ${boundAddress}, not a loopback address, and no --admin-token-file is configured`,
  );
}

/** Compares in time independent of where the strings differ (the lengths may still leak). */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
