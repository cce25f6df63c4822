import { BadExtensionError, MethodNotAllowedError, NotImplementedError, PresenceError, UnauthorizedError } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import type { Logger } from '@presence/runtime';
import { SIP_METHODS, type IncomingRequest } from '@presence/sip';
import { RECIPIENT_LIST_MESSAGE } from '../messaging/recipient-list.js';
import { checkRequestUriScheme } from './request-uri-scheme.js';
import type { RequestAuthenticator } from './request-authenticator.js';
import { PIDF, SUBSCRIBE_EVENTS, SUBSCRIBE_OPTION_TAGS } from './sip-headers.js';

export interface MethodHandler {
  /** `requester` is the AOR the request proved to act for; undefined when authentication is off (--auth none). */
  handle(request: IncomingRequest, requester: string | undefined): Promise<void>;
}

const ALLOWED = ['REGISTER', 'PUBLISH', 'SUBSCRIBE', 'MESSAGE', 'OPTIONS'] as const;

/** The handler of each method we serve; OPTIONS without one is answered here. */
export type MethodHandlers = Readonly<Record<(typeof ALLOWED)[number], MethodHandler | undefined>>;

/**
 * Entry of every SIP request: extension checks common to all methods,
 * authentication of the methods that need it, the handler of the method,
 * and the mapping of every failure to a response — domain errors to their
 * status, anything unexpected to 500 (counted), so a request is never left
 * unanswered.
 */
export class RequestDispatcher {
  private handlers: MethodHandlers = { REGISTER: undefined, PUBLISH: undefined, SUBSCRIBE: undefined, MESSAGE: undefined, OPTIONS: undefined };

  constructor(
    private readonly metrics: PresenceMetrics,
    private readonly logger: Logger,
    /** Undefined when authentication is off. */
    private readonly authenticator: RequestAuthenticator | undefined,
  ) {}

  /**
   * Set once while wiring, before the stack starts: the dispatcher exists
   * before the SIP stack (which delivers to it), the handlers after (they
   * answer and notify through it).
   */
  serve(handlers: MethodHandlers): void {
    this.handlers = handlers;
  }

  /**
   * Serves one request; at debug level also logs one line per request
   * (method, final status, Call-ID, time to answer) so a failing exchange can
   * be found in the logs. At info level that costs one level check.
   */
  async dispatch(request: IncomingRequest): Promise<void> {
    if (!this.logger.isLevelEnabled('debug')) return this.serveRequest(request);
    const started = performance.now();
    try {
      await this.serveRequest(request);
    } finally {
      const ms = Math.round((performance.now() - started) * 1000) / 1000;
      this.logger.debug({ method: request.method, status: request.finalStatus, callId: request.callId, ms, remote: `${request.flow.transport}:${request.flow.remoteAddress}:${request.flow.remotePort}` }, 'SIP request');
    }
  }

  private async serveRequest(request: IncomingRequest): Promise<void> {
    const method = methodLabel(request.method);
    this.metrics.sipRequests.inc({ method });
    if (request.method === 'ACK') return;
    const respond = (status: number, reason: string, headers?: Record<string, string | readonly string[]>) => request.respond(status, reason, { headers });
    try {
      // RFC 3261 §8.2.1, before any header is looked at: a method no RFC defines is 501,
      // one defined but not served here is 405; both list what we serve in Allow.
      if (!SIP_METHODS.has(request.method)) throw new NotImplementedError('Not Implemented', ALLOWED);
      const handler = (this.handlers as Record<string, MethodHandler | undefined>)[request.method];
      if (!handler && request.method !== 'OPTIONS') throw new MethodNotAllowedError('Method Not Allowed', ALLOWED);
      checkRequestUriScheme(request.uri);
      // RFC 3261 §8.2.2.3: any Require but recipient-list-message on a MESSAGE (RFC 5365, whose handler checks the URI)
      // and eventlist or recipient-list-subscribe on a SUBSCRIBE (RFC 4662, RFC 5367: the list ingress reads them) is refused with 420.
      const required = request.headerValues('require').filter((tag) => !servedRequire(request.method, tag.trim().toLowerCase()));
      if (required.length > 0) throw new BadExtensionError(`Bad Extension (not supported here: ${required.join(', ')})`, required);
      if (!handler) return respond(200, 'OK', capabilities()); // OPTIONS (RFC 3261 §11.2)
      const authenticator = this.authenticator;
      const requester = authenticator?.challenges(request.method) ? await authenticator.authenticate(request) : undefined;
      await handler.handle(request, requester);
    } catch (error) {
      if (error instanceof UnauthorizedError) return respond(error.status, error.reason, { ...error.headers(), 'www-authenticate': error.challenges });
      if (error instanceof PresenceError) return respond(error.status, error.reason, error.headers());
      this.metrics.handlerErrors.inc({ method });
      this.logger.error({ err: error, method: request.method, callId: request.callId }, 'request handler failed');
      respond(500, 'Server Internal Error');
    }
  }
}

function servedRequire(method: string, tag: string): boolean {
  return (method === 'MESSAGE' && tag === RECIPIENT_LIST_MESSAGE) || (method === 'SUBSCRIBE' && SUBSCRIBE_OPTION_TAGS.includes(tag));
}

/** Metric label of a method: the RFC methods by name, anything else "other" (labels stay bounded). */
export function methodLabel(method: string): string {
  return SIP_METHODS.has(method) ? method : 'other';
}

function capabilities(): Record<string, string> {
  return { allow: ALLOWED.join(', '), accept: PIDF, 'allow-events': SUBSCRIBE_EVENTS.join(', ') };
}

export { ALLOWED as ALLOWED_METHODS };
