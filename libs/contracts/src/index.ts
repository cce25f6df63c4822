export type { Subjects } from './subjects.js';
export { createSubjects, aorToken } from './subjects.js';
export type {
  AgentRequest,
  PublishCommand,
  SubscribeCommand,
  UnsubscribeCommand,
  FetchCommand,
  UnsubscribeReason,
} from './messages/agent-request.js';
export type { WatchersCommand, WatchersReply, WatcherInfoEvent, WinfoWatcher, WinfoEvent, WinfoFeedPosition } from './messages/watcher-info.js';
export { WINFO_EVENTS } from './messages/watcher-info.js';
export type {
  AgentReply,
  PublishedReply,
  SubscribedReply,
  UnsubscribedReply,
  StatesReply,
  ErrorReply,
  PresentitySnapshot,
  AuthorizationChange,
} from './messages/agent-reply.js';
export { WHOLE_DOCUMENT_VIEW, POLITE_BLOCK_VIEW } from './messages/agent-reply.js';
export type { ChangeEvent } from './messages/change-event.js';
export type { DeliverReply, DeliverRequest } from './messages/deliver-message.js';
export type { XcapChangeEvent } from './messages/xcap-change.js';
export { ContractError } from './contract-error.js';
export {
  encodeMessage,
  encodeDeliverRequest,
  decodeAgentRequest,
  decodeAgentReply,
  decodeChangeEvent,
  decodeDeliverRequest,
  decodeDeliverReply,
  decodeXcapChange,
  decodeWatcherInfoEvent,
  decodeAuthorizationChange,
} from './codec.js';
