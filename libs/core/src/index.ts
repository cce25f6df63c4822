export type { Clock, TimerClock, TimerHandle } from './time/clock.js';
export { systemClock } from './time/clock.js';

export type { Publication } from './model/publication.js';
export type { PresentityState } from './model/presentity-state.js';
export type { SubscriptionStatus, WatcherRecord } from './model/watcher.js';
export { SUBSCRIPTION_STATUSES } from './model/watcher.js';
export type { Binding } from './model/binding.js';
export type { DialogRecord } from './model/dialog-record.js';
export type { DigestAlgorithm, UserRecord } from './model/user.js';
export { DIGEST_ALGORITHMS } from './model/user.js';

export type { PresentityStore, PresentityChange, CommitOutcome } from './ports/presentity-store.js';
export type { WatcherPut, WatcherStore } from './ports/watcher-store.js';
export type { ExpiryIndex, DueExpiry } from './ports/expiry-index.js';
export type { LocationStore } from './ports/location-store.js';
export type { DialogStore } from './ports/dialog-store.js';
export type { Store } from './ports/store.js';
export type { Lease, LeaseStore } from './ports/lease-store.js';
export type { MembershipStore } from './ports/membership-store.js';
export type { UserStore } from './ports/user-store.js';
export type { AuthStateStore } from './ports/auth-state-store.js';
export type { InspectionStore, Page } from './ports/inspection-store.js';
export type {
  OfflineMessage,
  OfflineMessages,
  OfflineMessageStore,
  OfflineQueueLimits,
  OfflineStoreOutcome,
  StoredMessage,
} from './ports/offline-message-store.js';
export type { XcapDocumentStore } from './ports/xcap-document-store.js';
export type { XcapScope, XcapDocumentRef, XcapDocument, XcapConditions, XcapWriteOutcome, XcapDeleteOutcome, XcapServiceClaim, XcapClaimOutcome } from './xcap/xcap-document.js';
export { XCAP_SCOPES, xcapConditionsHold, compareXcapRefs } from './xcap/xcap-document.js';

export { PresenceError } from './errors/presence-error.js';
export {
  BadRequestError,
  NotFoundError,
  UnauthorizedError,
  ForbiddenError,
  MethodNotAllowedError,
  NotImplementedError,
  NotAcceptableError,
  ConditionalRequestFailedError,
  UnsupportedMediaTypeError,
  BadExtensionError,
  ExtensionRequiredError,
  IntervalTooBriefError,
  NoSuchSubscriptionError,
  NoSuchDialogError,
  NotAcceptableHereError,
  BadEventError,
  ServerInternalError,
  ServiceUnavailableError,
  UnsupportedUriSchemeError,
  RequestEntityTooLargeError,
  TooManyHopsError,
  LoopDetectedError,
  BusyHereError,
} from './errors/catalogue.js';
export { bestFinalStatus } from './messaging/best-response.js';
export { CPIM, cpimProblem, IS_COMPOSING } from './messaging/cpim.js';
export { escapeXml, IMDN_NAMESPACE, IMDN_XML, imdnRequest, noticeBody, wantsNotice, wantsStoredNotice } from './messaging/imdn.js';
export type { ImdnRequest, IntermediaryNotice, NoticeParties } from './messaging/imdn.js';

// Domain rules (aor, partition, expires, publication, subscription, registrar) are exported below.

export { normalizeAor, aorDomain, contactKey } from './aor/normalize-aor.js';
export type { ParsedSipUri } from './aor/parse-sip-uri.js';
export { parseSipUri, tryParseSipUri } from './aor/parse-sip-uri.js';
export { partitionOf, DEFAULT_PARTITIONS } from './partition/partition-of.js';
export { fnv1a32 } from './partition/fnv1a.js';
export type { ExpiresPolicy } from './expires/negotiate-expires.js';
export { negotiateExpires } from './expires/negotiate-expires.js';
export type { PublishInput, PublishOutcome } from './publication/apply-publish.js';
export { applyPublish, markSuperseded, SUPERSEDED_ETAG_GRACE_MS } from './publication/apply-publish.js';
export type { PublicationLimits } from './publication/publication-limits.js';
export { checkPublicationLimits, DEFAULT_PUBLICATION_LIMITS } from './publication/publication-limits.js';
export { dropExpiredPublications, earliestExpiry } from './publication/publication-expiry.js';
export type {
  TerminationReason,
  SubscriptionState,
  SubscriptionEvent,
} from './subscription/subscription-state.js';
export {
  startSubscription,
  nextSubscriptionState,
  subscriptionStateHeader,
} from './subscription/subscription-state.js';
export type { NegotiatedRates, RateBounds, RequestedRates } from './subscription/rate-control.js';
export { formatRate, negotiateRates, parseRateControl, rateParameters, withoutRateParameters } from './subscription/rate-control.js';
export { ADAPTIVE_PERIOD_FACTOR, RateSchedule } from './subscription/rate-schedule.js';
export type { ContactRequest, RegisterInput } from './registrar/apply-register.js';
export { applyRegister } from './registrar/apply-register.js';
export { bindingExpiresIn } from './registrar/binding-expiry.js';
export { requireContactLimit, TOO_MANY_CONTACTS } from './registrar/contact-limit.js';

export { KeyedQueue } from './concurrency/keyed-queue.js';
export { IndexedMinHeap } from './schedule/indexed-min-heap.js';
export { RecentMap } from './cache/recent-map.js';
export type { RecordFailure, RecordProblem } from './record/record-reader.js';
export { RecordReader } from './record/record-reader.js';
export { bodyField, readBodyField, type BodyField } from './record/body-field.js';
export { frozenCopy } from './record/frozen-copy.js';
export { flatString, sharedString } from './record/stored-string.js';
export { rendezvousOwner, partitionsOwnedBy } from './partition/rendezvous.js';
