import type { BusMessage, FlatValue } from '../bus.js';
import { frozenCopy, isFlatValue } from '../value-messages.js';
import type { PendingRequest } from './pending-request.js';

/** What a LocalBus request resolves with: the responder's bytes, or its value with the way to encode it (respondValue). */
export type LocalReply = Uint8Array | HandedValue;

/** A flat value handed across in-process, frozen, with the codec's encoder for whoever wants bytes after all. */
export class HandedValue {
  constructor(
    readonly value: FlatValue,
    readonly encode: (value: FlatValue) => Uint8Array,
  ) {}

  get bytes(): Uint8Array {
    return this.encode(this.value);
  }
}

/**
 * A message as handed to every matching subscriber: one object per publish,
 * payload not copied. A request sent with requestValue carries its value
 * instead, and encodes it only if a subscriber reads `data`.
 */
export class LocalMessage implements BusMessage {
  private bytes: Uint8Array | undefined;
  private readonly handed: HandedValue | undefined;

  constructor(
    readonly subject: string,
    payload: Uint8Array | HandedValue,
    private readonly request: PendingRequest<LocalReply> | undefined,
  ) {
    if (payload instanceof HandedValue) this.handed = payload;
    else this.bytes = payload;
  }

  get data(): Uint8Array {
    this.bytes ??= (this.handed as HandedValue).bytes;
    return this.bytes;
  }

  get value(): FlatValue | undefined {
    return this.handed?.value;
  }

  get expectsReply(): boolean {
    return this.request !== undefined;
  }

  respond(data: Uint8Array): void {
    this.request?.answer(data);
  }

  respondValue(value: FlatValue, encode: (value: FlatValue) => Uint8Array): void {
    if (this.request === undefined) return;
    this.request.answer(isFlatValue(value) ? new HandedValue(frozenCopy(value), encode) : encode(value));
  }
}
