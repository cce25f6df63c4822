export { SIP_OPTIONS, PROCESS_OPTIONS, STANDALONE_OPTIONS, EDGE_OPTIONS, AGENT_ROLE_OPTIONS } from './options.js';
export { edgeConfigFromOptions, processId } from './edge-config-from-options.js';
