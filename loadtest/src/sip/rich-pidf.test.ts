import { describe, expect, it } from 'vitest';
import { getAttribute, parsePidf, textContent, childElements } from '@presence/pidf';
import { pidfWithTimestamp, readTimestamp } from './pidf-timestamp.js';
import { pidfBody, richPidfWithTimestamp } from './rich-pidf.js';

const ENTITY = 'sip:r1p42@bench.test';

describe('rich PIDF (--pidf-size rich)', () => {
  it('is a valid PIDF of more than 1 kB with three tuples, a person and a device', () => {
    const body = richPidfWithTimestamp(ENTITY, 'open', 1700000000123.456);
    expect(Buffer.byteLength(body)).toBeGreaterThan(1024);
    expect(Buffer.byteLength(body)).toBeLessThan(1600);
    const doc = parsePidf(body);
    expect(doc.entity).toBe(ENTITY);
    expect(doc.tuples.map((t) => getAttribute(t, 'id'))).toEqual(['lt', 'mobile', 'voicemail']);
    expect(doc.persons).toHaveLength(1);
    expect(doc.devices).toHaveLength(1);
    expect(childElements(doc.persons[0]!).map((e) => e.name)).toEqual(expect.arrayContaining(['activities', 'mood', 'place-type', 'note']));
  });

  it('carries the send time the latency measurement reads', () => {
    expect(readTimestamp(richPidfWithTimestamp(ENTITY, 'closed', 1700000000123.456))).toBe(1700000000123.456);
  });

  it('changes only the first tuple between PUBLISHes', () => {
    const a = parsePidf(richPidfWithTimestamp(ENTITY, 'open', 1));
    const b = parsePidf(richPidfWithTimestamp(ENTITY, 'closed', 2));
    expect(textContent(a.tuples[0]!)).not.toBe(textContent(b.tuples[0]!));
    const rest = (d: typeof a): string => JSON.stringify([d.tuples.slice(1), d.persons, d.devices]);
    expect(rest(a)).toBe(rest(b));
  });

  it('small stays the one-tuple document', () => {
    expect(pidfBody('small', ENTITY, 'open', 5)).toBe(pidfWithTimestamp(ENTITY, 'open', 5));
    expect(pidfBody('rich', ENTITY, 'open', 5)).toBe(richPidfWithTimestamp(ENTITY, 'open', 5));
  });
});
