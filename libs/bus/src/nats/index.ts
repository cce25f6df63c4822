export type { NatsBusOptions } from './nats-bus-options.js';
export { NATS_BUS_DEFAULTS } from './nats-bus-options.js';
export { NatsBus, connectNatsBus } from './nats-bus.js';
