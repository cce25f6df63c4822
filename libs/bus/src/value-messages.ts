import type { Bus, BusMessage, FlatValue, RequestOptions, ValueCodec } from './bus.js';

/**
 * Requests with typed values on any bus: a bus that crosses processes gets
 * `codec.encode(value)` and its reply is decoded; the in-process LocalBus
 * hands flat values across without JSON (the envelope both ways was ~6 % of
 * a standalone PUBLISH). Receivers use receivedValue and respondWithValue,
 * so one handler serves both kinds of bus.
 */
export function requestValue<R>(bus: Bus, subject: string, value: FlatValue, codec: ValueCodec<R>, options: RequestOptions): Promise<R> {
  if (bus.requestValue !== undefined) return bus.requestValue(subject, value, codec, options);
  return bus.request(subject, codec.encode(value), options).then((reply) => codec.decodeReply(reply));
}

/** Publishes a value: encoded at once for a bus that crosses processes; in-process only if someone listens. */
export function publishValue<T extends FlatValue>(bus: Bus, subject: string, value: T, encode: (value: T) => Uint8Array): void {
  if (bus.publishValue === undefined) bus.publish(subject, encode(value));
  else bus.publishValue(subject, value, encode as (value: FlatValue) => Uint8Array);
}

/** The request's value: the sender's own (frozen) when handed over in-process, else `decode(message.data)`. */
export function receivedValue<T>(message: BusMessage, decode: (data: Uint8Array) => T): T {
  return message.value === undefined ? decode(message.data) : (message.value as T);
}

/** Answers with a value: handed over in-process where the bus can, else encoded. */
export function respondWithValue<T extends FlatValue>(message: BusMessage, value: T, encode: (value: T) => Uint8Array): void {
  if (message.respondValue === undefined) message.respond(encode(value));
  else message.respondValue(value, encode as (value: FlatValue) => Uint8Array);
}

/** True when every own property is a string, number, boolean, null or undefined: a shallow copy is then a deep one. */
export function isFlatValue(value: FlatValue): boolean {
  for (const key in value) {
    const field = (value as Record<string, unknown>)[key];
    if (field !== null && typeof field === 'object') return false;
    if (typeof field === 'function' || typeof field === 'symbol' || typeof field === 'bigint') return false;
  }
  return true;
}

/** A frozen copy of a flat value: later changes by its sender do not reach the receiver, and the receiver cannot change it. */
export function frozenCopy(value: FlatValue): FlatValue {
  return Object.freeze({ ...value });
}
