import { MethodNotAllowedError, PresenceError } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import type { Logger } from '@presence/runtime';
import type { IncomingRequest } from '@presence/sip';
import { PIDF, PRESENCE_EVENT } from './sip-headers.js';

export interface MethodHandler {
  handle(request: IncomingRequest): Promise<void>;
}

const ALLOWED = ['REGISTER', 'PUBLISH', 'SUBSCRIBE', 'OPTIONS'] as const;
/** Metric label values: known methods by name, everything else folded into "other". */
const KNOWN_METHODS = new Set<string>([...ALLOWED, 'NOTIFY', 'MESSAGE', 'INVITE', 'ACK', 'BYE', 'CANCEL', 'INFO', 'UPDATE', 'REFER', 'PRACK']);

/**
 * Entry of every SIP request: extension checks common to all methods, the
 * handler of the method, and the mapping of every failure to a response —
 * domain errors to their status, anything unexpected to 500 (counted), so a
 * request is never left unanswered.
 */
export class RequestDispatcher {
  constructor(
    private readonly handlers: Readonly<Record<(typeof ALLOWED)[number], MethodHandler | undefined>>,
    private readonly metrics: PresenceMetrics,
    private readonly logger: Logger,
  ) {}

  async dispatch(request: IncomingRequest): Promise<void> {
    const method = KNOWN_METHODS.has(request.method) ? request.method : 'other';
    this.metrics.sipRequests.inc({ method });
    if (request.method === 'ACK') return;
    const respond = (status: number, reason: string, headers?: Record<string, string | readonly string[]>) => request.respond(status, reason, { headers });
    try {
      // RFC 3261 §8.2.2.3: we support no extensions, so any Require is refused with 420.
      const required = request.headerValues('require');
      if (required.length > 0) return respond(420, 'Bad Extension', { unsupported: required.join(', ') });
      if (request.method === 'OPTIONS') return respond(200, 'OK', capabilities());
      const handler = (this.handlers as Record<string, MethodHandler | undefined>)[request.method];
      if (!handler) throw new MethodNotAllowedError('Method Not Allowed', ALLOWED);
      await handler.handle(request);
    } catch (error) {
      if (error instanceof PresenceError) return respond(error.status, error.reason, error.headers());
      this.metrics.handlerErrors.inc({ method });
      this.logger.error({ err: error, method: request.method, callId: request.callId }, 'request handler failed');
      respond(500, 'Server Internal Error');
    }
  }
}

function capabilities(): Record<string, string> {
  return { allow: ALLOWED.join(', '), accept: PIDF, 'allow-events': PRESENCE_EVENT };
}

export { ALLOWED as ALLOWED_METHODS };
