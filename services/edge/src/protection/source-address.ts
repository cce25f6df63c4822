import { BlockList, isIP } from 'node:net';

/** An IPv4 address as a dual-stack socket reports it (::ffff:192.0.2.1) is the IPv4 address: one source, one bucket. */
export function sourceAddress(remoteAddress: string): string {
  return remoteAddress.startsWith('::ffff:') && isIP(remoteAddress.slice(7)) === 4 ? remoteAddress.slice(7) : remoteAddress;
}

/**
 * The rate limiter's key of a source: an IPv4 address as it is; an IPv6
 * address by its /64, which one subscriber or host is given whole (RFC 6177)
 * and can send from any address of, so a /64 is one source like one NAT is.
 */
export function rateLimitKey(address: string): string {
  return isIP(address) === 6 ? ipv6Prefix64(address) : address;
}

function ipv6Prefix64(address: string): string {
  const zone = address.indexOf('%');
  const bare = zone < 0 ? address : address.slice(0, zone);
  const gap = bare.indexOf('::');
  // An IPv4 tail (::ffff:a.b.c.d, 64:ff9b::a.b.c.d) stands for two groups.
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])));
  const head = groups(gap < 0 ? bare : bare.slice(0, gap));
  const tail = gap < 0 ? [] : groups(bare.slice(gap + 2));
  const all = gap < 0 ? head : [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  return `${all
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
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
