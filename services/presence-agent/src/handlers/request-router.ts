import type { BusMessage } from '@presence/bus';
import { decodeAgentRequest, encodeMessage, ContractError, type AgentReply, type AgentRequest } from '@presence/contracts';
import { PresenceError } from '@presence/core';
import type { Logger } from '@presence/runtime';
import type { FetchHandler } from './fetch-handler.js';
import type { PublishHandler } from './publish-handler.js';
import type { SubscribeHandler } from './subscribe-handler.js';

/**
 * Decodes an agent request at the boundary, runs its handler and always
 * answers: domain errors become error replies carrying their SIP status, so
 * the edge never waits out a timeout because a handler failed.
 */
export class RequestRouter {
  constructor(
    private readonly handlers: { publish: PublishHandler; subscribe: SubscribeHandler; fetch: FetchHandler },
    private readonly logger: Logger,
  ) {}

  async onMessage(message: BusMessage): Promise<void> {
    const reply = await this.route(message.data);
    message.respond(encodeMessage(reply));
  }

  private async route(data: Uint8Array): Promise<AgentReply> {
    let request: AgentRequest;
    try {
      request = decodeAgentRequest(data);
    } catch (error) {
      this.logger.warn({ err: error }, 'undecodable agent request');
      return errorReply(400, error instanceof ContractError ? `Bad agent request: ${error.message}` : 'Bad agent request', {});
    }
    try {
      switch (request.type) {
        case 'publish':
          return await this.handlers.publish.handle(request);
        case 'subscribe':
          return await this.handlers.subscribe.handle(request);
        case 'unsubscribe':
          return await this.handlers.subscribe.handleUnsubscribe(request);
        case 'fetch':
          return await this.handlers.fetch.handle(request);
      }
    } catch (error) {
      if (error instanceof PresenceError) return errorReply(error.status, error.reason, error.headers());
      this.logger.error({ err: error, type: request.type }, 'agent request failed');
      return errorReply(500, 'Server Internal Error', {});
    }
  }
}

function errorReply(status: number, reason: string, headers: Record<string, string>): AgentReply {
  return { v: 1, type: 'error', status, reason, headers };
}
