export type { Bus, BusMessage, BusSubscription, SubscribeOptions, RequestOptions } from './bus.js';
export type { BusLogger } from './bus-logger.js';
export { silentBusLogger } from './bus-logger.js';
export { NoRespondersError, BusTimeoutError, BusClosedError, BusTransportError } from './errors/bus-errors.js';
export { InvalidSubjectError } from './errors/invalid-subject-error.js';
export type { LocalBusOptions } from './memory/local-bus.js';
export { LocalBus } from './memory/local-bus.js';
export type { BusErrorListener, BusOperation } from './bus-error-reporting.js';
export { BUS_OPERATIONS, reportBusErrors } from './bus-error-reporting.js';
