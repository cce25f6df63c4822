export { SIP_OPTIONS, PROCESS_OPTIONS, STANDALONE_OPTIONS } from './options.js';
export { edgeConfigFromOptions, processId } from './edge-config-from-options.js';
