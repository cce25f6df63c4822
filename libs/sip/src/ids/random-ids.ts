import { randomFillSync } from 'node:crypto';

// Random bytes are drawn from a pooled buffer so that ids for tens of
// thousands of messages per second cost no syscall each.
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

function randomHex(bytes: number): string {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}

/** A From/To tag: 64 random bits (RFC 3261 §19.3 requires at least 32). */
export function newTag(): string {
  return randomHex(8);
}

/** A Call-ID: 128 random bits (RFC 3261 §8.1.1.4). */
export function newCallId(): string {
  return randomHex(16);
}

/**
 * A branch with the RFC 3261 magic cookie and 96 random bits (§8.1.1.7);
 * with `key`, the cookie, the key, a dot and 64 random bits: a proxy's
 * loop-detection key (§16.6 step 8) readable in every copy it sends.
 */
export function newBranch(key?: string): string {
  return key === undefined ? `z9hG4bK${randomHex(12)}` : `z9hG4bK${key}.${randomHex(8)}`;
}
