import { aorDomain, NotFoundError } from '@presence/core';

/** The domains this service answers for (`--domain`); `*` serves any. */
export class DomainPolicy {
  private readonly domains: ReadonlySet<string>;
  private readonly any: boolean;

  constructor(domains: readonly string[]) {
    this.domains = new Set(domains.map((d) => d.trim().toLowerCase()).filter((d) => d !== ''));
    this.any = this.domains.size === 0 || this.domains.has('*');
  }

  /** RFC 3261 §8.2.2.1 / §10.3 step 1: a Request-URI we are not responsible for gets 404. */
  requireServed(aor: string): void {
    if (!this.serves(aor)) throw new NotFoundError(`Domain ${aorDomain(aor)} not served here`);
  }

  serves(aor: string): boolean {
    return this.any || this.domains.has(aorDomain(aor));
  }
}
