import { applyMutations, fuzzAssert, mutations, sipRequest, type GeneratedMessage } from '@presence/testkit/fuzz';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalHeaderName } from './header-names.js';
import { parseWholeMessage, type ParsedMessage } from './parse-message.js';
import { StreamFramer } from './stream-framer.js';

/**
 * Properties of the message parser and the stream framer (RFC 3261 §7,
 * §18.3) over generated requests: what was written is what is read, however
 * TCP cuts the stream, and damaged bytes are parsed or refused, never thrown
 * on. Fixed seeds here; `npm run fuzz -- --target parser` runs them longer
 * with fresh ones.
 */
const MAX_MESSAGE = 65_535;

function framed(chunks: readonly Buffer[]): { messages: ParsedMessage[]; pings: number; closed?: string } {
  const messages: ParsedMessage[] = [];
  let pings = 0;
  const framer = new StreamFramer(MAX_MESSAGE, (m) => messages.push(m), () => pings++);
  for (const chunk of chunks) {
    const closed = framer.push(chunk);
    if (closed !== undefined) return { messages, pings, closed };
  }
  return { messages, pings };
}

function expectRead(message: ParsedMessage | string, written: GeneratedMessage): void {
  const headers = new Map<string, string[]>();
  for (const { name, value } of written.headers) headers.set(canonicalHeaderName(name), [...(headers.get(canonicalHeaderName(name)) ?? []), value]);
  headers.set('content-length', [String(Buffer.byteLength(written.body))]);
  expect(message).toEqual({ method: written.method, uri: written.uri, status: 0, reason: '', headers, bodyBytes: Buffer.from(written.body) });
}

/** Cut points for a stream: sorted, distinct, inside it. */
const cuts = (length: number) => fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: 12 }).map((c) => c.sort((a, b) => a - b));

function cutAt(bytes: Buffer, points: readonly number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of points) if (point > from && point < bytes.length) chunks.push(bytes.subarray(from, (from = point)));
  chunks.push(bytes.subarray(from));
  return chunks;
}

// Counts, not time, bound these: the timeout only keeps a busy CI machine from failing them.
describe('message framing properties', { timeout: 60_000 }, () => {
  it('fuzz - a generated request reads back as written from a datagram: method, URI, headers in order, body', () => {
    fuzzAssert('datagram round trip', fc.property(sipRequest, (request) => expectRead(parseWholeMessage(request.bytes), request)), 3261, 1500);
  });

  it('fuzz - on a stream, split at every byte boundary, it gives the same message', () => {
    fuzzAssert(
      'stream split at every byte',
      fc.property(sipRequest, (request) => {
        const whole = parseWholeMessage(request.bytes);
        for (let cut = 0; cut <= request.bytes.length; cut++) {
          const { messages, closed } = framed([request.bytes.subarray(0, cut), request.bytes.subarray(cut)]);
          expect(closed).toBeUndefined();
          expect(messages).toEqual([whole]);
        }
      }),
      1831,
      60,
    );
  });

  it('fuzz - a stream of requests and CRLFCRLF keep-alives cut anywhere gives every request in order and every ping', () => {
    const stream = fc.array(fc.tuple(fc.boolean(), sipRequest), { minLength: 1, maxLength: 5 });
    fuzzAssert(
      'stream of messages and pings',
      fc.property(
        stream.chain((items) => {
          const bytes = Buffer.concat(items.flatMap(([ping, r]) => (ping ? [Buffer.from('\r\n\r\n'), r.bytes] : [r.bytes])));
          return fc.tuple(fc.constant(items), fc.constant(bytes), cuts(bytes.length));
        }),
        ([items, bytes, points]) => {
          const { messages, pings, closed } = framed(cutAt(bytes, points));
          expect(closed).toBeUndefined();
          expect(messages).toEqual(items.map(([, r]) => parseWholeMessage(r.bytes)));
          // A ping split across chunks may be seen as two CRLFs; none is lost or invented whole.
          expect(pings).toBeLessThanOrEqual(items.filter(([ping]) => ping).length);
        },
      ),
      5626,
      400,
    );
  });

  it('fuzz - damaged requests are parsed or refused, never thrown on, by the datagram parser and the framer alike', () => {
    fuzzAssert(
      'mutated messages',
      fc.property(sipRequest, mutations(4, 5_000), fc.nat(), (request, damage, cut) => {
        const bytes = applyMutations(request.bytes, damage);
        const whole = parseWholeMessage(bytes);
        if (typeof whole !== 'string') expect(typeof whole.headers.get).toBe('function');
        const at = bytes.length === 0 ? 0 : cut % bytes.length;
        const { messages } = framed([bytes.subarray(0, at), bytes.subarray(at)]);
        // A stream message is one the datagram parser also reads: the framer only adds the Content-Length rule.
        for (const message of messages) expect(message.method ?? message.status).toBeTruthy();
      }),
      1818,
      1500,
    );
  });
});
