/** An operation on a store after close(): a lifecycle bug (the write would be lost), never retried. */
export class StoreClosedError extends Error {
  constructor() {
    super('store is closed');
    this.name = 'StoreClosedError';
  }
}
