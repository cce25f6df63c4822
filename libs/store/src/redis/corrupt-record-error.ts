/** A value read from Redis that this code did not write (or a newer, incompatible version did): a 500, never retried. */
export class CorruptRecordError extends Error {
  constructor(
    readonly key: string,
    detail: string,
  ) {
    super(`unreadable record at ${key}: ${detail}`);
    this.name = 'CorruptRecordError';
  }
}
