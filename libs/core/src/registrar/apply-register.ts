import { contactKey } from '../aor/normalize-aor.js';
import { BadRequestError, ServerInternalError } from '../errors/catalogue.js';
import { negotiateExpires, type ExpiresPolicy } from '../expires/negotiate-expires.js';
import type { Binding } from '../model/binding.js';

/** One Contact of a REGISTER with the parameters the registrar uses. */
export interface ContactRequest {
  /** Contact URI (name-addr or addr-spec); compared through `contactKey`. */
  contact: string;
  /** The Contact's `expires` parameter, seconds. */
  expires?: number;
  /** The Contact's `q` parameter, 0..1. */
  q?: number;
}

/** A REGISTER as the registrar sees it, after authentication (RFC 3261 §10.3 steps 1-4). */
export interface RegisterInput {
  /** Normalized AOR of the To header (step 5). */
  aor: string;
  /** The Contacts, or '*' for the wildcard of a remove-all (step 6). */
  contacts: readonly ContactRequest[] | '*';
  /** Expires header field, seconds. */
  headerExpires?: number;
  callId: string;
  cseq: number;
  /** Edge that received the REGISTER. */
  edgeId: string;
  /** Transport flow the REGISTER came on. */
  flow?: string;
}

/**
 * Same Call-ID and a CSeq not higher than the stored one: a stale or reordered
 * request (RFC 3261 §10.3 steps 6-7): the whole update is aborted.
 */
function assertInOrder(binding: Binding, input: RegisterInput): void {
  if (binding.callId === input.callId && binding.cseq >= input.cseq) {
    throw new ServerInternalError('Out of order CSeq');
  }
}

function bindingOf(
  request: ContactRequest,
  key: string,
  expiresSeconds: number,
  input: RegisterInput,
  now: number,
): Binding {
  // Optional members set on the literal rather than spread in: cheaper on V8 (see record/frozen-copy.ts).
  const binding: { -readonly [K in keyof Binding]: Binding[K] } = {
    contact: request.contact,
    contactKey: key,
    expiresAt: now + expiresSeconds * 1000,
    callId: input.callId,
    cseq: input.cseq,
    edgeId: input.edgeId,
  };
  if (request.q !== undefined) binding.q = request.q;
  if (input.flow !== undefined) binding.flow = input.flow;
  return binding;
}

/**
 * Applies a REGISTER to the bindings of an AOR (RFC 3261 §10.3) and returns
 * the resulting unexpired bindings. All-or-nothing: any failure throws and
 * nothing is to be committed (§10.3 step 7, last paragraph).
 *
 * - Lapsed bindings (`expiresAt <= now`) are dropped first.
 * - `*` (step 6) needs `Expires: 0`, else 400. Every binding with another
 *   Call-ID, or the same Call-ID and a lower CSeq, is removed; a binding with
 *   the same Call-ID and a CSeq >= the request's aborts the request (500,
 *   "the update MUST be aborted and the request fails").
 * - Each Contact (step 7): expiry = its `expires` param, else the Expires
 *   header, else the policy default; 0 removes the binding; otherwise it is
 *   negotiated (423 for a too brief interval aborts the request, values above
 *   max are shortened). A binding with the same `contactKey` and Call-ID and a
 *   stored CSeq >= the request's aborts the request (500 "Out of order CSeq");
 *   otherwise the binding is added or updated. The CSeq check is against the
 *   bindings as stored before this request, so a Contact repeated in one
 *   REGISTER does not conflict with itself (the last occurrence wins).
 * - A `q` outside 0..1 is a 400 (§20.10 qvalue).
 *
 * @throws BadRequestError "Wildcard Contact requires Expires: 0", "Invalid q-value",
 *   "Invalid Expires", "Invalid URI: ...".
 * @throws IntervalTooBriefError (423) with the policy minimum.
 * @throws ServerInternalError "Out of order CSeq".
 */
export function applyRegister(
  current: readonly Binding[],
  input: RegisterInput,
  now: number,
  policy: ExpiresPolicy,
): Binding[] {
  const live = current.filter((b) => b.expiresAt > now);

  if (input.contacts === '*') {
    // RFC 3261 §10.3 step 6.
    if (input.headerExpires !== 0) throw new BadRequestError('Wildcard Contact requires Expires: 0');
    for (const binding of live) assertInOrder(binding, input);
    return [];
  }

  const stored = new Map(live.map((b) => [b.contactKey, b] as const));
  const next = new Map(stored);
  for (const request of input.contacts) {
    // RFC 3261 §20.10: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
    if (request.q !== undefined && !(request.q >= 0 && request.q <= 1)) {
      throw new BadRequestError('Invalid q-value');
    }
    const key = contactKey(request.contact);
    const existing = stored.get(key);
    if (existing !== undefined) assertInOrder(existing, input);
    // RFC 3261 §10.3 step 7: the contact's expires parameter, else the Expires header, else a default.
    const granted = negotiateExpires(request.expires ?? input.headerExpires, policy);
    if (granted === 0) {
      next.delete(key);
    } else {
      // Re-insert so an updated binding keeps its place and a new one goes last.
      next.set(key, bindingOf(request, key, granted, input, now));
    }
  }
  return [...next.values()];
}
