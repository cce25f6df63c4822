import { normalizeAor } from '../aor/normalize-aor.js';
import { ServerInternalError } from '../errors/catalogue.js';
import { fnv1a32 } from './fnv1a.js';

/** Partition count of a cluster unless configured otherwise; fixed for the cluster's life. */
export const DEFAULT_PARTITIONS = 256;

/**
 * The partition that owns a presentity (ARCHITECTURE "Partitions and leases"):
 * 32-bit FNV-1a of the UTF-8 bytes of the normalized AOR, modulo `partitions`.
 * The AOR is normalized first (RFC 3261 §19.1.4), so every spelling of one
 * address lands on the same partition.
 *
 * @throws BadRequestError "Invalid URI: ..." when `aor` is not a SIP URI.
 * @throws ServerInternalError when `partitions` is not an integer in 1..2^32.
 */
export function partitionOf(aor: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 0x1_0000_0000) {
    throw new ServerInternalError(`Invalid partition count: ${partitions}`);
  }
  return fnv1a32(normalizeAor(aor)) % partitions;
}
