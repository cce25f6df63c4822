import type { Bus } from './bus.js';

/** The bus calls whose failures are reported: both throw at once (closed bus, invalid subject, transport refusal). */
export type BusOperation = 'publish' | 'subscribe';

export const BUS_OPERATIONS: readonly BusOperation[] = Object.freeze(['publish', 'subscribe'] as const);

/** Told once of each failed publish or subscribe: the operation (never a subject) and the error. */
export type BusErrorListener = (operation: BusOperation, error: unknown) => void;

/**
 * The same bus, telling `onError` of every publish or subscribe that throws
 * before the caller gets the error, unchanged: how presence_bus_errors_total
 * counts them for either implementation without the bus package knowing
 * about metrics. Requests report their outcome themselves (no responders,
 * timeout) and are passed through.
 */
export function reportBusErrors(bus: Bus, onError: BusErrorListener): Bus {
  const reporting: Bus = {
    publish(subject, data) {
      try {
        bus.publish(subject, data);
      } catch (error) {
        onError('publish', error);
        throw error;
      }
    },
    subscribe(subject, handler, options) {
      try {
        return bus.subscribe(subject, handler, options);
      } catch (error) {
        onError('subscribe', error);
        throw error;
      }
    },
    request: (subject, data, options) => bus.request(subject, data, options),
    onReconnect: (listener) => bus.onReconnect(listener),
    close: () => bus.close(),
  };
  // Only a bus that hands values over in-process has requestValue and publishValue; the others must keep lacking it (requestValue() encodes then).
  if (bus.requestValue !== undefined) reporting.requestValue = (subject, value, codec, options) => bus.requestValue!(subject, value, codec, options);
  if (bus.publishValue !== undefined) {
    reporting.publishValue = (subject, value, encode) => {
      try {
        bus.publishValue!(subject, value, encode);
      } catch (error) {
        onError('publish', error);
        throw error;
      }
    };
  }
  if (bus.hasSubscribers !== undefined) reporting.hasSubscribers = (subject) => bus.hasSubscribers!(subject);
  return reporting;
}
