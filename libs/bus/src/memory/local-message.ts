import type { BusMessage } from '../bus.js';
import type { PendingRequest } from './pending-request.js';

/** A message as handed to every matching subscriber: one object per publish, payload not copied. */
export class LocalMessage implements BusMessage {
  constructor(
    readonly subject: string,
    readonly data: Uint8Array,
    private readonly request: PendingRequest | undefined,
  ) {}

  get expectsReply(): boolean {
    return this.request !== undefined;
  }

  respond(data: Uint8Array): void {
    this.request?.answer(data);
  }
}
