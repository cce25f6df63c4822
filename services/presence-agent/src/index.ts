export type { PresenceAgent, PresenceAgentDeps } from './agent.js';
export { createPresenceAgent, AGENT_QUEUE } from './agent.js';
export type { WatcherStatusChange, WatcherStatusListener } from './authorization/watcher-status-listener.js';
export type { SubHandling } from '@presence/policy';
export { DEFAULT_SUB_HANDLING, DEFAULT_SUB_HANDLING_CHOICES } from '@presence/policy';
