/** The digest realm of each served domain (`--realm domain=realm,...`); by default a domain is its own realm. */
export class RealmPolicy {
  private readonly realms: ReadonlyMap<string, string>;

  constructor(realms: ReadonlyMap<string, string>) {
    this.realms = new Map([...realms].map(([domain, realm]) => [domain.toLowerCase(), realm]));
  }

  /** `domain` lower-case, as aorDomain gives it. */
  realmOf(domain: string): string {
    return this.realms.get(domain) ?? domain;
  }
}
