import { negotiateExpires, normalizeAor, type ExpiresPolicy } from '@presence/core';
import type { IncomingRequest } from '@presence/sip';
import type { AgentClient } from './agent-client.js';
import type { DomainPolicy } from './domain-policy.js';
import { PUBLISH_EVENTS, requirePidfBody, requireServedEvent } from './sip-headers.js';

/**
 * PUBLISH (RFC 3903 §6) at the edge: checks the SIP-level parts (event,
 * domain, body type, expires) and hands the rest — entity-tags, PIDF
 * validation, partial publication (RFC 5264), composition — to the
 * presentity's agent.
 */
export class PublishHandler {
  constructor(
    private readonly agent: AgentClient,
    private readonly domains: DomainPolicy,
    private readonly policy: ExpiresPolicy,
  ) {}

  async handle(request: IncomingRequest): Promise<void> {
    requireServedEvent(request, PUBLISH_EVENTS, 'bad-event');
    const presentity = normalizeAor(request.uri);
    this.domains.requireServed(presentity);
    const contentType = requirePidfBody(request);
    const expires = negotiateExpires(request.expires, this.policy);
    const ifMatch = request.header('sip-if-match')?.trim();
    const body = request.body.length > 0 ? request.body : undefined;
    const reply = await this.agent.send(
      presentity,
      {
        v: 1,
        type: 'publish',
        presentity,
        ifMatch: ifMatch === '' ? undefined : ifMatch,
        expires,
        body,
        contentType: body === undefined ? undefined : contentType,
      },
      'published',
    );
    const headers: Record<string, string> = { expires: String(reply.expires) };
    if (reply.etag !== undefined) headers['sip-etag'] = reply.etag;
    request.respond(200, 'OK', { headers });
  }
}
