import type { Msg } from 'nats';
import type { BusMessage } from '../bus.js';

/** Where a NatsMessage sends its reply; failures are the bus's to log, never the responder's. */
export interface Responder {
  respond(message: NatsMessage, reply: string, data: Uint8Array): void;
}

/**
 * A message delivered by NATS. The payload is copied out of the socket
 * buffer it arrived in, so keeping a message does not pin that buffer.
 */
export class NatsMessage implements BusMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  private readonly reply: string | undefined;

  constructor(
    msg: Msg,
    private readonly responder: Responder,
  ) {
    this.subject = msg.subject;
    this.data = Uint8Array.from(msg.data);
    this.reply = msg.reply === undefined || msg.reply.length === 0 ? undefined : msg.reply;
  }

  get expectsReply(): boolean {
    return this.reply !== undefined;
  }

  respond(data: Uint8Array): void {
    if (this.reply !== undefined) this.responder.respond(this, this.reply, data);
  }
}
