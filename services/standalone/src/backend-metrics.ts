import { reportBusErrors, type Bus } from '@presence/bus';
import type { Store } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import { reportStoreErrors, STORE_OPERATIONS } from '@presence/store';

/**
 * The store as the roles use it: every call timed in
 * presence_store_operation_seconds and every failure counted once in
 * presence_store_errors_total, by operation (whose series start at 0).
 */
export function meteredStore(store: Store, metrics: PresenceMetrics): Store {
  for (const operation of STORE_OPERATIONS) metrics.storeErrors.inc({ operation }, 0);
  // One child per operation, looked up once: no label hashing on the hot path.
  const latency = new Map(STORE_OPERATIONS.map((operation) => [operation, metrics.storeOperationSeconds.labels({ operation })]));
  return reportStoreErrors(
    store,
    (operation) => metrics.storeErrors.inc({ operation }),
    (operation, seconds) => latency.get(operation)?.observe(seconds),
  );
}

/** The bus as the roles use it: failed publish and subscribe calls counted in presence_bus_errors_total. */
export function meteredBus(bus: Bus, metrics: PresenceMetrics): Bus {
  return reportBusErrors(bus, (operation) => metrics.busErrors.inc({ operation }));
}
