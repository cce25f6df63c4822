import { ForbiddenError } from '../errors/catalogue.js';

/** Reason phrase of the refusal, as Kamailio's registrar words it, so operators recognise it. */
export const TOO_MANY_CONTACTS = 'Too many registered contacts';

/**
 * Cap on the bindings of one AOR (README "Limits"). A REGISTER that would
 * leave more than `max` bindings is refused whole, the stored ones untouched.
 * 403 rather than 503: retrying, or failing over to another server (RFC 3263
 * §4.3 treats 503 as "try the next"), cannot help until a binding goes.
 * A REGISTER that does not add bindings always passes, so an AOR over a cap
 * lowered since it registered can still refresh and remove.
 *
 * @param before unexpired bindings stored before the REGISTER
 * @param after bindings the REGISTER would leave
 * @throws ForbiddenError "Too many registered contacts"
 */
export function requireContactLimit(before: number, after: number, max: number): void {
  if (after > max && after > before) throw new ForbiddenError(TOO_MANY_CONTACTS);
}
