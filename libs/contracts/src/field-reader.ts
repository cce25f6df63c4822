import { ContractError } from './contract-error.js';

type Json = Record<string, unknown>;

/** Typed access to the fields of a decoded JSON object; throws ContractError naming the field. */
export class FieldReader {
  constructor(
    private readonly value: Json,
    private readonly what: string,
  ) {}

  static of(value: unknown, what: string): FieldReader {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ContractError(`${what}: expected an object`);
    }
    return new FieldReader(value as Json, what);
  }

  string(name: string): string {
    const v = this.value[name];
    if (typeof v !== 'string') throw this.fail(name, 'a string');
    return v;
  }

  optionalString(name: string): string | undefined {
    return this.value[name] === undefined ? undefined : this.string(name);
  }

  count(name: string): number {
    const v = this.value[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw this.fail(name, 'a non-negative integer');
    return v;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const v = this.string(name);
    if (!(allowed as readonly string[]).includes(v)) throw this.fail(name, `one of ${allowed.join('|')}`);
    return v as T;
  }

  stringArray(name: string): string[] {
    const v = this.value[name];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw this.fail(name, 'an array of strings');
    return v as string[];
  }

  object(name: string): FieldReader {
    return FieldReader.of(this.value[name], `${this.what}.${name}`);
  }

  list<T>(name: string, item: (r: FieldReader) => T): T[] {
    const v = this.value[name];
    if (!Array.isArray(v)) throw this.fail(name, 'an array');
    return v.map((x, i) => item(FieldReader.of(x, `${this.what}.${name}[${i}]`)));
  }

  stringRecord(name: string): Record<string, string> {
    const v = this.value[name];
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw this.fail(name, 'an object');
    for (const x of Object.values(v)) if (typeof x !== 'string') throw this.fail(name, 'an object of strings');
    return v as Record<string, string>;
  }

  private fail(name: string, expected: string): ContractError {
    return new ContractError(`${this.what}.${name}: expected ${expected}`);
  }
}
