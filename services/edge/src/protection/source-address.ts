import { BlockList, isIP } from 'node:net';

/** An IPv4 address as a dual-stack socket reports it (::ffff:192.0.2.1) is the IPv4 address: one source, one bucket. */
export function sourceAddress(remoteAddress: string): string {
  return remoteAddress.startsWith('::ffff:') && isIP(remoteAddress.slice(7)) === 4 ? remoteAddress.slice(7) : remoteAddress;
}

/**
 * Addresses exempt from the per-source rate limit, from CIDR blocks
 * (192.0.2.0/24, 2001:db8::/32) or single addresses. Throws naming the
 * entry that is neither.
 */
export class SourceSet {
  private readonly blocks = new BlockList();
  readonly empty: boolean;

  constructor(entries: readonly string[]) {
    for (const entry of entries) this.add(entry.trim());
    this.empty = entries.length === 0;
  }

  has(address: string): boolean {
    if (this.empty) return false;
    const family = isIP(address);
    return family !== 0 && this.blocks.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  private add(entry: string): void {
    const slash = entry.indexOf('/');
    const address = slash < 0 ? entry : entry.slice(0, slash);
    const family = isIP(address);
    const maxPrefix = family === 4 ? 32 : 128;
    const prefix = slash < 0 ? maxPrefix : Number(entry.slice(slash + 1));
    if (family === 0 || !/^\d{1,3}$/.test(slash < 0 ? String(maxPrefix) : entry.slice(slash + 1)) || prefix > maxPrefix) {
      throw new RangeError(`"${entry}" is not an IP address or CIDR block (e.g. 192.0.2.0/24, 2001:db8::/32)`);
    }
    this.blocks.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
}
