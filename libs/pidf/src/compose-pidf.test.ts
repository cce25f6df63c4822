import { describe, expect, it } from 'vitest';
import { composePidf, emptyPidf } from './compose-pidf.js';
import { DATA_MODEL_NS, PIDF_NS } from './namespaces.js';
import { parsePidf } from './parse-pidf.js';
import type { PidfDocument } from './pidf-document.js';
import { getAttribute, textContent } from './xml-node.js';

const ENTITY = 'pres:alice@example.com';

function doc(body: string, entity = 'sip:alice@example.com'): PidfDocument {
  return parsePidf(
    `<presence xmlns="${PIDF_NS}" xmlns:dm="${DATA_MODEL_NS}" entity="${entity}">${body}</presence>`,
  );
}

function tuple(id: string, basic: string): string {
  return `<tuple id="${id}"><status><basic>${basic}</basic></status></tuple>`;
}

describe('pidf compose', () => {
  it('pidf compose - no sources gives exactly emptyPidf', () => {
    expect(composePidf(ENTITY, [])).toBe(emptyPidf(ENTITY));
    expect(emptyPidf(ENTITY)).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="${PIDF_NS}" entity="${ENTITY}"/>`,
    );
    expect(parsePidf(emptyPidf('pres:a&b@example.com')).entity).toBe('pres:a&b@example.com');
  });

  it('pidf compose - sources without elements render like emptyPidf', () => {
    expect(composePidf(ENTITY, [{ document: doc(''), publishedAt: 1 }])).toBe(emptyPidf(ENTITY));
  });

  it('pidf compose - keeps everything and sets the entity', () => {
    const a = doc(`${tuple('t1', 'open')}<note>a</note><dm:person id="p1"/>`);
    const b = doc(`${tuple('t2', 'closed')}<note>b</note><dm:device id="d1"/>`, 'sip:other@x');
    const composed = parsePidf(
      composePidf(ENTITY, [
        { document: a, publishedAt: 1 },
        { document: b, publishedAt: 2 },
      ]),
    );
    expect(composed.entity).toBe(ENTITY);
    expect(composed.tuples.map((t) => getAttribute(t, 'id'))).toEqual(['t1', 't2']);
    expect(composed.notes.map((n) => textContent(n))).toEqual(['a', 'b']);
    expect(composed.persons.map((p) => getAttribute(p, 'id'))).toEqual(['p1']);
    expect(composed.devices.map((d) => getAttribute(d, 'id'))).toEqual(['d1']);
  });

  it('pidf compose - de-duplicates ids keeping the newest publication', () => {
    const older = doc(`${tuple('t1', 'closed')}${tuple('t2', 'open')}<dm:person id="p"><dm:note>old</dm:note></dm:person>`);
    const newer = doc(`${tuple('t3', 'open')}${tuple('t1', 'open')}<dm:person id="p"><dm:note>new</dm:note></dm:person>`);
    // The newer source comes first in the array: recency decides, not position.
    const composed = parsePidf(
      composePidf(ENTITY, [
        { document: newer, publishedAt: 200 },
        { document: older, publishedAt: 100 },
      ]),
    );
    expect(composed.tuples.map((t) => `${getAttribute(t, 'id')}=${textContent(t)}`)).toEqual([
      't3=open',
      't1=open',
      't2=open',
    ]);
    expect(composed.persons.map((p) => textContent(p))).toEqual(['new']);
  });

  it('pidf compose - keeps the position of the first appearance of an id', () => {
    const first = doc(`${tuple('a', 'closed')}${tuple('b', 'closed')}`);
    const second = doc(tuple('a', 'open'));
    const composed = parsePidf(
      composePidf(ENTITY, [
        { document: first, publishedAt: 1 },
        { document: second, publishedAt: 2 },
      ]),
    );
    expect(composed.tuples.map((t) => `${getAttribute(t, 'id')}=${textContent(t)}`)).toEqual([
      'a=open',
      'b=closed',
    ]);
  });

  it('pidf compose - on equal publishedAt the later source wins', () => {
    const composed = parsePidf(
      composePidf(ENTITY, [
        { document: doc(tuple('t', 'closed')), publishedAt: 5 },
        { document: doc(tuple('t', 'open')), publishedAt: 5 },
      ]),
    );
    expect(composed.tuples.map((t) => textContent(t))).toEqual(['open']);
  });

  it('pidf compose - orders tuples, notes, persons, devices, others', () => {
    const xml = composePidf(ENTITY, [
      { document: doc('<x:e xmlns:x="urn:x"/><dm:device id="d"/><dm:person id="p"/><note>n</note>'), publishedAt: 1 },
      { document: doc(tuple('t', 'open')), publishedAt: 2 },
    ]);
    const positions = ['<tuple', '<note', '<dm:person', '<dm:device', '<ns1:e'].map((s) => xml.indexOf(s));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
  });
});
