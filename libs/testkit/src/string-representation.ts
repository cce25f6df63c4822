import { setFlagsFromString } from 'node:v8';

// Tests only: V8's runtime functions, to see how a string is held.
setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: unknown, b: unknown) => boolean;
/** JSON.parse builds a new sequential string: the representation that owns its characters. */
const FLAT_ONE_BYTE = JSON.parse('"a flat one-byte string that is not a slice"') as string;

/**
 * Whether a one-byte string owns its characters (sequential), rather than
 * being a slice that keeps a longer parent alive or a rope of several parts:
 * what a value held per subscription should be.
 */
export function ownsItsCharacters(value: string): boolean {
  return haveSameMap(value, FLAT_ONE_BYTE);
}
