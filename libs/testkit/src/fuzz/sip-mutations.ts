import * as fc from 'fast-check';

/**
 * Byte-level damage to a valid SIP message: the inputs a parser meets from a
 * broken or hostile peer. Positions are taken modulo the message length, so
 * one mutation applies to any message.
 */
export type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly byte: number }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'duplicate-line'; readonly line: number }
  | { readonly kind: 'whitespace'; readonly at: number; readonly length: number; readonly tab: boolean };

const at = fc.nat({ max: 1_000_000 });

/** One mutation; `maxWhitespace` bounds the runs of spaces or tabs inserted (long runs find quadratic scans). */
export function mutation(maxWhitespace = 30_000): fc.Arbitrary<Mutation> {
  return fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at, byte: fc.nat({ max: 255 }) }),
    fc.record({ kind: fc.constant('insert' as const), at, text: fc.constantFrom('\r', '\n', '\r\n', ' ', '\0', '"', '<', '>', ';', ',', ':', '\\', '\t', '@', '=', '%', '\x7f', '\xff') }),
    fc.record({ kind: fc.constant('truncate' as const), at }),
    fc.record({ kind: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant('duplicate-line' as const), line: fc.nat({ max: 20 }) }),
    fc.record({ kind: fc.constant('whitespace' as const), at, length: fc.integer({ min: 1, max: maxWhitespace }), tab: fc.boolean() }),
  );
}

/** One to `max` mutations. */
export function mutations(max = 3, maxWhitespace?: number): fc.Arbitrary<Mutation[]> {
  return fc.array(mutation(maxWhitespace), { minLength: 1, maxLength: max });
}

export function applyMutation(bytes: Buffer, m: Mutation): Buffer {
  const i = bytes.length === 0 ? 0 : m.kind === 'duplicate-line' ? 0 : m.at % (bytes.length + 1);
  switch (m.kind) {
    case 'flip': {
      const out = Buffer.from(bytes);
      if (i < out.length) out[i] = m.byte;
      return out;
    }
    case 'insert':
      return Buffer.concat([bytes.subarray(0, i), Buffer.from(m.text, 'latin1'), bytes.subarray(i)]);
    case 'truncate':
      return bytes.subarray(0, i);
    case 'delete':
      return Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + m.length)]);
    case 'whitespace':
      return Buffer.concat([bytes.subarray(0, i), Buffer.alloc(m.length, m.tab ? '\t' : ' '), bytes.subarray(i)]);
    case 'duplicate-line': {
      const lines = bytes.toString('latin1').split('\r\n');
      const n = 1 + (m.line % Math.max(1, lines.length - 3));
      lines.splice(n, 0, lines[n] ?? '');
      return Buffer.from(lines.join('\r\n'), 'latin1');
    }
  }
}

export function applyMutations(bytes: Buffer, list: readonly Mutation[]): Buffer {
  return list.reduce(applyMutation, bytes);
}
