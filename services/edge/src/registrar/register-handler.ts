import {
  applyRegister,
  aorDomain,
  BadRequestError,
  bindingExpiresIn,
  KeyedQueue,
  normalizeAor,
  requireContactLimit,
  type Clock,
  type ContactRequest,
  type ExpiresPolicy,
  type LocationStore,
} from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import type { IncomingRequest, NameAddr } from '@presence/sip';
import type { DomainPolicy } from '../ingress/domain-policy.js';
import type { RegisteredContacts } from './registered-contacts.js';

/**
 * Registrar (RFC 3261 §10.3): adds, refreshes, removes and lists the location
 * bindings of an AOR; binding rules live in @presence/core, the bindings in
 * the location store with their expiry.
 */
export class RegisterHandler {
  /** REGISTERs for one AOR are applied one at a time: each reads, then replaces, the binding set. */
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly store: LocationStore,
    private readonly domains: DomainPolicy,
    private readonly policy: ExpiresPolicy,
    private readonly clock: Clock,
    private readonly edgeId: string,
    private readonly metrics: PresenceMetrics,
    private readonly contacts: RegisteredContacts,
    /** Bindings one AOR may hold (--max-contacts-per-aor). */
    private readonly maxContacts: number,
    /** Told after a REGISTER left the AOR with bindings (stored MESSAGEs wait for that). */
    private readonly onReachable: (aor: string) => void = () => undefined,
  ) {}

  async handle(request: IncomingRequest): Promise<void> {
    // Step 1: the Request-URI names the domain; step 3: the To AOR must belong to it.
    const registrarDomain = aorDomain(normalizeAor(request.uri));
    this.domains.requireServed(normalizeAor(request.uri));
    const aor = normalizeAor(request.to.uri);
    if (aorDomain(aor) !== registrarDomain) throw new BadRequestError(`To domain does not match Request-URI domain ${registrarDomain}`);
    this.domains.requireServed(aor);
    await this.queue.run(aor, () => this.register(request, aor));
  }

  private async register(request: IncomingRequest, aor: string): Promise<void> {
    const now = this.clock.now();
    const current = await this.store.bindings(aor, now);
    let bindings = current;
    if (request.contacts === '*' || request.contacts.length > 0) {
      bindings = applyRegister(
        current,
        {
          aor,
          contacts: request.contacts === '*' ? '*' : request.contacts.map(contactRequest),
          headerExpires: request.expires,
          callId: request.callId,
          cseq: request.cseq.seq,
          edgeId: this.edgeId,
          flow: request.flow.token,
        },
        now,
        this.policy,
      );
      this.requireContactLimit(current.length, bindings.length);
      await this.store.replaceBindings(aor, bindings);
      this.metrics.registrations.inc({ action: bindings.length < current.length ? 'unbind' : 'bind' });
    } else {
      this.metrics.registrations.inc({ action: 'query' });
    }
    this.contacts.record(aor, bindings, now);
    // Step 8: the 200 lists every current binding with its remaining time.
    const headers: Record<string, string | string[]> = { date: new Date(now).toUTCString() };
    if (bindings.length > 0) headers.contact = bindings.map((b) => `<${b.contact}>;expires=${bindingExpiresIn(b, now)}`);
    request.respond(200, 'OK', { headers });
    if (bindings.length > 0) this.onReachable(aor);
  }

  private requireContactLimit(before: number, after: number): void {
    try {
      requireContactLimit(before, after, this.maxContacts);
    } catch (error) {
      this.metrics.limitRefusals.inc({ limit: 'contacts_per_aor' });
      throw error;
    }
  }
}

function contactRequest(contact: NameAddr): ContactRequest {
  const expires = contact.params.expires;
  const q = contact.params.q;
  return {
    contact: contact.uri,
    expires: expires === undefined || expires === null ? undefined : strictNumber(expires, 'Contact expires'),
    q: q === undefined || q === null ? undefined : strictNumber(q, 'Contact q'),
  };
}

function strictNumber(text: string, what: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new BadRequestError(`Invalid ${what} parameter`);
  return value;
}
