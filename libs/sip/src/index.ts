export { createSipStack } from './stack/sip-stack.js';
export type {
  SendTarget,
  SipStack,
  SipStackCounters,
  SipStackOptions,
  SipStackStats,
  SipStackTimers,
  WireDirection,
  WireObserver,
} from './stack/stack-types.js';
export type {
  IncomingRequest,
  OutgoingRequest,
  ResponseOptions,
  SipMessageView,
  SipRequest,
  SipResponse,
} from './message/message-types.js';
export type { BoundListener, Flow, ListenSpec, StreamTransportName, TransportName } from './transport/transport-types.js';
export { isSecureTransport } from './transport/transport-types.js';
export type { SipTlsOptions, TlsCertificate } from './transport/tls-settings.js';
export { certificateProblem } from './transport/tls-settings.js';
export type { ConnectionClosedReason, ConnectionLimits, ConnectionRefusedReason } from './transport/connection-limits.js';
export { CONNECTION_CLOSED_REASONS, CONNECTION_REFUSED_REASONS } from './transport/connection-limits.js';
export { dialogRequiresSips } from './message/sips-dialog.js';
export type { AdmissionLimits } from './stack/request-admission.js';
export type { RequestScreen, ScreenedRequest, ScreenVerdict } from './stack/request-screen.js';
export type { Logger } from './logger.js';
export type { HeaderFields } from './wire/serialize.js';
export { parseListenSpecs } from './transport/listen-spec.js';
export { parseNameAddr } from './wire/name-addr.js';
export type { NameAddr } from './wire/name-addr.js';
export { isSipsUri } from './wire/sips-scheme.js';
export { formatAuthHeader, formatDigestChallenge, parseAuthHeader } from './wire/auth-params.js';
export type { AuthHeader, AuthParam } from './wire/auth-params.js';
export { SipParseError } from './wire/sip-parse-error.js';
export { reasonPhrase } from './wire/reason-phrases.js';
export { newBranch, newCallId, newTag } from './ids/random-ids.js';
export { SIP_METHODS } from './wire/methods.js';
export type { WorkerSharing } from './transport/worker-sharing.js';
export { workerCallId } from './transport/worker-sharing.js';
export { callIdHash, datagramOwner } from './transport/worker-sharing.js';
