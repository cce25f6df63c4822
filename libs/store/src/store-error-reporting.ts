import type { Store } from '@presence/core';

/** A store call that can fail: every Store method but ping, which answers false instead. */
export type StoreOperation = Exclude<keyof Store, 'ping'>;

/** Told once of each failed store call: its operation (one of a fixed set, never an AOR) and the error. */
export type StoreErrorListener = (operation: StoreOperation, error: unknown) => void;

/** Told of every store call as it settles, failed or not: its operation and how long it took. */
export type StoreTimingListener = (operation: StoreOperation, seconds: number) => void;

/** Every operation: a Record, so adding a method to Store fails to compile until it is listed here. */
const OPERATIONS: Readonly<Record<StoreOperation, true>> = {
  loadPresentity: true,
  loadPresentities: true,
  commitPresentity: true,
  putWatcher: true,
  putWatcherAndLoad: true,
  removeWatcher: true,
  dueExpiries: true,
  publishedPresentities: true,
  bindings: true,
  replaceBindings: true,
  saveDialog: true,
  loadDialog: true,
  deleteDialog: true,
  acquireLease: true,
  acquireLeases: true,
  releaseLease: true,
  heartbeat: true,
  liveMembers: true,
  leave: true,
  user: true,
  putUser: true,
  deleteUser: true,
  listUsers: true,
  nonceKey: true,
  acceptNonceCount: true,
  countAuthFailure: true,
  authFailures: true,
  clearAuthFailures: true,
  watchersOf: true,
  leaseHolders: true,
  dialogsByCallId: true,
  storeOfflineMessage: true,
  offlineMessages: true,
  removeOfflineMessage: true,
  offlineRecipients: true,
  acquireDeliveryLock: true,
  releaseDeliveryLock: true,
  xcapDocument: true,
  putXcapDocument: true,
  deleteXcapDocument: true,
  listXcapDocuments: true,
  claimXcapServiceUri: true,
  xcapServiceClaim: true,
  releaseXcapServiceUri: true,
  close: true,
};

/** Every store operation (the label values of the store metrics). */
export const STORE_OPERATIONS: readonly StoreOperation[] = Object.freeze(Object.keys(OPERATIONS) as StoreOperation[]);

/**
 * The same store, telling `onError` of every call that fails (Redis away
 * or closed: StoreUnavailableError, StoreClosedError; a corrupt record;
 * anything else) before the caller gets the rejection, unchanged. One
 * wrapper for both implementations, put on where a process composes its
 * store, so `presence_store_errors_total` counts failures the same way
 * whatever the backend, without the store package knowing about metrics.
 * With `onSettled`, every call is also timed, from the call to its
 * settling (presence_store_operation_seconds): the wrapper sits where
 * every call of the process passes.
 */
export function reportStoreErrors(store: Store, onError: StoreErrorListener, onSettled?: StoreTimingListener): Store {
  const reporting: Record<string, unknown> = { ping: () => store.ping() };
  for (const operation of STORE_OPERATIONS) {
    const call = store[operation] as (...args: unknown[]) => Promise<unknown>;
    const report = (error: unknown): never => {
      onError(operation, error);
      throw error;
    };
    reporting[operation] =
      onSettled === undefined
        ? (...args: unknown[]) => call.apply(store, args).catch(report)
        : (...args: unknown[]) => {
            const started = performance.now();
            const settled = (): void => onSettled(operation, (performance.now() - started) / 1000);
            return call.apply(store, args).then(
              (value) => {
                settled();
                return value;
              },
              (error: unknown) => {
                settled();
                return report(error);
              },
            );
          };
  }
  return reporting as unknown as Store;
}
