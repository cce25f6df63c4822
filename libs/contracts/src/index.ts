export type { Subjects } from './subjects.js';
export { createSubjects, aorToken } from './subjects.js';
export type {
  AgentRequest,
  PublishCommand,
  SubscribeCommand,
  UnsubscribeCommand,
  FetchCommand,
} from './messages/agent-request.js';
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
export { encodeMessage, decodeAgentRequest, decodeAgentReply, decodeChangeEvent, decodeDeliverRequest, decodeDeliverReply, decodeXcapChange, decodeAuthorizationChange } from './codec.js';
