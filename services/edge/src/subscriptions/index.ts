export { eventPackageOf, PRESENCE_PACKAGE, SubscriptionRegistry } from './subscription-registry.js';
export type { SubscriptionRegistryDeps } from './subscription-registry.js';
export type { InDialogSubscribe, InitialSubscribe, SubscribeAnswer } from './subscribe-request.js';
export type { DialogNotifier, EventPackage, InterestHold, PackageState, SubscriptionDecision, WatcherAgent } from './subscription-delegates.js';
export { authorized } from './subscription-delegates.js';
export { WatcherDialog } from './watcher-dialog.js';
export type { NotifyPacing, PartialNotifyState } from './watcher-dialog.js';
