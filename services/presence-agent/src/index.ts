export type { PresenceAgent, PresenceAgentDeps } from './agent.js';
export { createPresenceAgent, AGENT_QUEUE } from './agent.js';
