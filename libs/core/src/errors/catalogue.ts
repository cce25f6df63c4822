import { PresenceError } from './presence-error.js';

export class BadRequestError extends PresenceError {
  readonly status = 400;
}

/** 404: the Request-URI names nothing we serve (RFC 3261 §8.2.2.1). */
export class NotFoundError extends PresenceError {
  readonly status = 404;
}

/**
 * 401 with one WWW-Authenticate per challenge (RFC 3261 §22.1, RFC 8760 §2.4:
 * several, most preferred first). The challenges are kept apart from
 * headers(): they are one header line each, never joined.
 */
export class UnauthorizedError extends PresenceError {
  readonly status = 401;
  constructor(
    reason: string,
    readonly challenges: readonly string[],
  ) {
    super(reason);
  }
}

/** 403: refused, and authenticating again will not help (RFC 3261 §21.4.4): another user's AOR, a source locked out. */
export class ForbiddenError extends PresenceError {
  readonly status = 403;
}

/** A method we do not serve: the answer lists those we do in Allow (RFC 3261 §8.2.1, §20.5). */
abstract class MethodNotServedError extends PresenceError {
  constructor(
    reason: string,
    readonly allow: readonly string[],
  ) {
    super(reason);
  }
  override headers(): Record<string, string> {
    return { allow: this.allow.join(', ') };
  }
}

/** 405 with Allow: a method an RFC defines that we do not serve (RFC 3261 §8.2.1). */
export class MethodNotAllowedError extends MethodNotServedError {
  readonly status = 405;
}

/** 501 (with Allow): a method we do not know at all (RFC 3261 §8.2.1, §21.5.2). */
export class NotImplementedError extends MethodNotServedError {
  readonly status = 501;
}

/** 406: none of the Accept-ed types can be produced (RFC 6665 §4.2.1.1). */
export class NotAcceptableError extends PresenceError {
  readonly status = 406;
  constructor(
    reason: string,
    readonly accept: readonly string[],
  ) {
    super(reason);
  }
  override headers(): Record<string, string> {
    return { accept: this.accept.join(', ') };
  }
}

/** 412: unknown or expired SIP-If-Match entity-tag (RFC 3903 §6 step 4). */
export class ConditionalRequestFailedError extends PresenceError {
  readonly status = 412;
}

/** 415 with Accept listing what we take (RFC 3261 §21.4.13). */
export class UnsupportedMediaTypeError extends PresenceError {
  readonly status = 415;
  constructor(
    reason: string,
    readonly accept: readonly string[],
  ) {
    super(reason);
  }
  override headers(): Record<string, string> {
    return { accept: this.accept.join(', ') };
  }
}

/** 421 with Require naming the extensions the request must use (RFC 3261 §21.4.21). */
export class ExtensionRequiredError extends PresenceError {
  readonly status = 421;
  constructor(
    reason: string,
    readonly required: readonly string[],
  ) {
    super(reason);
  }
  override headers(): Record<string, string> {
    return { require: this.required.join(', ') };
  }
}

/** 420 with Unsupported: a Require option tag not served at this Request-URI (RFC 3261 §8.2.2.3). */
export class BadExtensionError extends PresenceError {
  readonly status = 420;
  constructor(
    reason: string,
    readonly unsupported: readonly string[],
  ) {
    super(reason);
  }
  override headers(): Record<string, string> {
    return { unsupported: this.unsupported.join(', ') };
  }
}

/** 423 with Min-Expires (RFC 3261 §10.3, RFC 3903 §6, RFC 6665 §4.2.1.1). */
export class IntervalTooBriefError extends PresenceError {
  readonly status = 423;
  constructor(readonly minExpires: number) {
    super('Interval Too Brief');
  }
  override headers(): Record<string, string> {
    return { 'min-expires': String(this.minExpires) };
  }
}

/** 481: no such subscription dialog (RFC 6665 §4.2.1.2). */
export class NoSuchSubscriptionError extends PresenceError {
  readonly status = 481;
}

/** 481 for a request inside a dialog this server does not have (RFC 3261 §12.2.2), such as a MESSAGE with a To tag. */
export class NoSuchDialogError extends PresenceError {
  readonly status = 481;
}

/**
 * 488 Not Acceptable Here (RFC 3261 §21.4.26): the request is valid but asks
 * for something this server cannot do here, such as a notification filter
 * it cannot process (RFC 4660, notifier operation); the reason phrase names what.
 */
export class NotAcceptableHereError extends PresenceError {
  readonly status = 488;
}

/** 489 with Allow-Events (RFC 6665 §8.2.1 / §7.2.2). */
export class BadEventError extends PresenceError {
  readonly status = 489;
  constructor(
    reason: string,
    readonly allowEvents: readonly string[],
  ) {
    super(reason);
  }
  override headers(): Record<string, string> {
    return { 'allow-events': this.allowEvents.join(', ') };
  }
}

/** 500 for a broken invariant on our side; 500 also for REGISTER out-of-order CSeq (RFC 3261 §10.3 step 7). */
export class ServerInternalError extends PresenceError {
  readonly status = 500;
}

/** 503 + Retry-After: store or bus not answering, partition moving. */
export class ServiceUnavailableError extends PresenceError {
  readonly status = 503;
  override readonly temporary = true;
  constructor(
    reason: string,
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
  }
  override headers(): Record<string, string> {
    return { 'retry-after': String(this.retryAfterSeconds) };
  }
}

/** 416: a URI scheme we cannot serve here, e.g. SIPS with no TLS listener (RFC 3261 §8.2.2.1, §21.4.14). */
export class UnsupportedUriSchemeError extends PresenceError {
  readonly status = 416;
}

/** 413: the body, or the state it would add up to, is larger than we keep (RFC 3261 §21.4.11). */
export class RequestEntityTooLargeError extends PresenceError {
  readonly status = 413;
}

/** 483: Max-Forwards reached 0 before the request got where it goes (RFC 3261 §16.3 step 3). */
export class TooManyHopsError extends PresenceError {
  readonly status = 483;
}

/** 482: the request came back to us: our own Via with its loop key is in it (RFC 3261 §16.3 step 4). */
export class LoopDetectedError extends PresenceError {
  readonly status = 482;
}

/** 486: the recipient cannot take more now (RFC 3261 §21.4.24): its offline store is full; the reason phrase says so. */
export class BusyHereError extends PresenceError {
  readonly status = 486;
}
