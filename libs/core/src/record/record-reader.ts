/** What was wrong, and where, in a record being read; the caller wraps it in its own error class. */
export interface RecordProblem {
  /** Path from the record's root: `agent request.state.version`, `presentities[2].etag`, `[3]`; '' is the root itself. */
  readonly path: string;
  /** What the value should have been: `a string`, `one of pending|active|terminated` ... */
  readonly expected: string;
  /** `<path>: expected <expected>`, or `expected <expected>` at the root. */
  readonly message: string;
}

/** Makes the error a reader throws, so each boundary keeps its own class (ContractError, CorruptRecordError ...). */
export type RecordFailure = (problem: RecordProblem) => Error;

type Fields = Readonly<Record<string, unknown>>;

/**
 * Typed reads of one parsed JSON record: an object, whose fields are read by
 * name, or a tuple (a compact positional encoding), whose fields are read by
 * index. Any value of the wrong type throws the caller's error naming the
 * path and what was expected, so a bad bus payload, Redis value or snapshot
 * file says which record, which field and what was wrong with it.
 *
 * An optional field is absent when it is missing; in a tuple null also
 * marks it absent, since a JSON array cannot leave a position out.
 */
export class RecordReader<K extends string | number = string> {
  private readonly positional: boolean;

  private constructor(
    private readonly fields: Fields,
    private readonly path: string,
    private readonly fail: RecordFailure,
  ) {
    this.positional = Array.isArray(fields);
  }

  /** Reads `value` as an object; `path` names it in errors ('' when the error class already says what it is). */
  static object(value: unknown, path: string, fail: RecordFailure): RecordReader<string> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw failure(fail, path, 'an object');
    return new RecordReader<string>(value as Fields, path, fail);
  }

  /** Reads `value` as a tuple: fields by position. */
  static tuple(value: unknown, path: string, fail: RecordFailure): RecordReader<number> {
    if (!Array.isArray(value)) throw failure(fail, path, 'an array');
    return new RecordReader<number>(value as unknown as Fields, path, fail);
  }

  /** Reads `value` as an array of tuples, each through `read`. */
  static tuples<T>(value: unknown, path: string, fail: RecordFailure, read: (item: RecordReader<number>) => T): T[] {
    if (!Array.isArray(value)) throw failure(fail, path, 'an array');
    return value.map((item: unknown, i) => read(RecordReader.tuple(item, `${path}[${i}]`, fail)));
  }

  string(key: K): string {
    const value = this.at(key);
    if (typeof value !== 'string') throw this.wrong(key, 'a string');
    return value;
  }

  optionalString(key: K): string | undefined {
    return this.absent(key) ? undefined : this.string(key);
  }

  /** A finite number. */
  number(key: K): number {
    const value = this.at(key);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.wrong(key, 'a number');
    return value;
  }

  optionalNumber(key: K): number | undefined {
    return this.absent(key) ? undefined : this.number(key);
  }

  /** A non-negative safe integer: versions, revisions, expiry intervals. */
  count(key: K): number {
    const value = this.at(key);
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw this.wrong(key, 'a non-negative integer');
    return value;
  }

  boolean(key: K): boolean {
    const value = this.at(key);
    if (typeof value !== 'boolean') throw this.wrong(key, 'true or false');
    return value;
  }

  optionalBoolean(key: K): boolean | undefined {
    return this.absent(key) ? undefined : this.boolean(key);
  }

  oneOf<T extends string>(key: K, allowed: readonly T[]): T {
    const value = this.string(key);
    if (!(allowed as readonly string[]).includes(value)) throw this.wrong(key, `one of ${allowed.join('|')}`);
    return value as T;
  }

  strings(key: K): string[] {
    const value = this.at(key);
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw this.wrong(key, 'an array of strings');
    return value as string[];
  }

  stringRecord(key: K): Record<string, string> {
    const value = this.at(key);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw this.wrong(key, 'an object');
    for (const item of Object.values(value)) if (typeof item !== 'string') throw this.wrong(key, 'an object of strings');
    return value as Record<string, string>;
  }

  /** A string map that older records may lack: undefined when absent. */
  optionalStringRecord(key: K): Record<string, string> | undefined {
    return this.absent(key) ? undefined : this.stringRecord(key);
  }

  optionalOneOf<T extends string>(key: K, allowed: readonly T[]): T | undefined {
    return this.absent(key) ? undefined : this.oneOf(key, allowed);
  }

  object(key: K): RecordReader<string> {
    return RecordReader.object(this.at(key), this.pathOf(key), this.fail);
  }

  /** An array of objects, each through `read`. */
  list<T>(key: K, read: (item: RecordReader<string>) => T): T[] {
    const value = this.at(key);
    if (!Array.isArray(value)) throw this.wrong(key, 'an array');
    const path = this.pathOf(key);
    return value.map((item: unknown, i) => read(RecordReader.object(item, `${path}[${i}]`, this.fail)));
  }

  /** A list that older records may lack: undefined when absent. */
  optionalList<T>(key: K, read: (item: RecordReader<string>) => T): T[] | undefined {
    return this.absent(key) ? undefined : this.list(key, read);
  }

  private at(key: K): unknown {
    return this.fields[key as string | number];
  }

  private absent(key: K): boolean {
    const value = this.at(key);
    return value === undefined || (this.positional && value === null);
  }

  private pathOf(key: K): string {
    if (typeof key === 'number') return `${this.path}[${key}]`;
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  private wrong(key: K, expected: string): Error {
    return failure(this.fail, this.pathOf(key), expected);
  }
}

function failure(fail: RecordFailure, path: string, expected: string): Error {
  return fail({ path, expected, message: path === '' ? `expected ${expected}` : `${path}: expected ${expected}` });
}
