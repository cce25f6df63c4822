export { eventPackageOf, PRESENCE_PACKAGE, SubscriptionRegistry } from './subscription-registry.js';
export type { SubscriptionRegistryDeps } from './subscription-registry.js';
export type { FilterChange, InDialogSubscribe, InitialSubscribe, NotifyControls, SubscribeAnswer } from './subscribe-request.js';
export type { DialogNotifier, EventPackage, InterestHold, PackageState, SubscriptionDecision, WatcherAgent } from './subscription-delegates.js';
export { authorized } from './subscription-delegates.js';
export { WatcherDialog } from './watcher-dialog.js';
export type { NotifyCondition, NotifyPacing, PartialNotifyState } from './watcher-dialog.js';
