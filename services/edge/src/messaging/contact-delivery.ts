import { BusTimeoutError, NoRespondersError, type Bus } from '@presence/bus';
import { decodeDeliverReply, encodeDeliverRequest, type Subjects } from '@presence/contracts';
import type { Binding } from '@presence/core';
import type { Logger } from '@presence/runtime';
import type { SipStack } from '@presence/sip';
import { messageTo, type MessageCopy } from './message-copy.js';
import { udpTooBig } from './path-mtu.js';

/** A final answer of one branch: the UA's, or one we made for it (408, 480, 503, 513). */
export interface BranchOutcome {
  readonly status: number;
  readonly reason: string;
}

export interface ContactDeliveryDeps {
  readonly stack: Pick<SipStack, 'sendRequest'>;
  readonly bus: Bus;
  readonly subjects: Subjects;
  readonly edgeId: string;
  /** How long another edge may take to answer for its UA: past the UA's own Timer F. */
  readonly forwardTimeoutMs: number;
  readonly logger: Logger;
}

/**
 * Sends a MESSAGE to one registered contact, wherever its flow lives: a
 * connection held by another edge (TCP, TLS, WS) is reached through that
 * edge over the bus (`edge.<id>.deliver`, request/reply, the reply is the
 * UA's final response); a UDP contact, or a flow of ours, is sent to from
 * here. Never rejects: every failure is an outcome.
 */
export class ContactDelivery {
  constructor(private readonly deps: ContactDeliveryDeps) {}

  async send(binding: Binding, copy: MessageCopy): Promise<BranchOutcome> {
    const flow = binding.flow;
    const elsewhere = flow !== undefined && !flow.startsWith('udp|') && binding.edgeId !== this.deps.edgeId;
    try {
      return await (elsewhere ? this.forward(binding.edgeId, flow, binding.contact, copy) : this.sendHere(flow, binding.contact, copy));
    } catch (error) {
      // A contact the stack cannot send to (a malformed URI registered long ago): this branch fails, the others go on.
      this.deps.logger.warn({ err: error, contact: binding.contact }, 'MESSAGE not sent to a contact');
      return { status: 503, reason: 'Service Unavailable' };
    }
  }

  /** Sends from this edge: on `flow` when it is ours and alive, else to the contact URI. */
  async sendHere(flow: string | undefined, contact: string, copy: MessageCopy): Promise<BranchOutcome> {
    const tooBig = udpTooBig(flow, contact, copy);
    if (tooBig !== undefined) {
      // RFC 3261 §18.1.1: above the path MTU a request goes over TCP; a UA that takes none gets nothing (513).
      const viaTcp = await this.deps.stack.sendRequest(messageTo(contact, copy), { uri: tooBig.tcpTarget });
      return viaTcp.status === 503 ? { status: 513, reason: 'Message Too Large for UDP and no TCP to the recipient' } : viaTcp;
    }
    const response = await this.deps.stack.sendRequest(messageTo(contact, copy), { flow, uri: contact });
    return { status: response.status, reason: response.reason };
  }

  private async forward(edgeId: string, flow: string, contact: string, copy: MessageCopy): Promise<BranchOutcome> {
    const request = encodeDeliverRequest({ v: 1, type: 'deliver', flow, uri: contact, headers: copy.headers, body: copy.body, branchKey: copy.branchKey });
    try {
      const reply = decodeDeliverReply(await this.deps.bus.request(this.deps.subjects.edgeDeliver(edgeId), request, { timeoutMs: this.deps.forwardTimeoutMs }));
      return { status: reply.status, reason: reply.reason };
    } catch (error) {
      // The edge is gone, and the connection with it: the UA is not reachable there until it registers again.
      if (error instanceof NoRespondersError) return { status: 480, reason: 'Temporarily Unavailable (its edge is gone)' };
      if (error instanceof BusTimeoutError) return { status: 408, reason: 'Request Timeout (its edge did not answer)' };
      this.deps.logger.warn({ err: error, edgeId }, 'MESSAGE not forwarded to the edge holding the flow');
      return { status: 503, reason: 'Service Unavailable' };
    }
  }
}
