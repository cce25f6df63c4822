import { emptyPidf } from '@presence/pidf';
import { describe, expect, it } from 'vitest';
import { EVERYTHING_PROVIDED, NOTHING_PROVIDED, type Transformations, normalizeTransformations, viewKey } from '../rules/transformations.js';
import { PresentityViews } from './presentity-views.js';

const ALICE = 'sip:alice@example.com';
const doc = (basic: string): string =>
  `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${ALICE}"><tuple id="t1"><status><basic>${basic}</basic></status><note>secret</note></tuple></presence>`;
const request = (t: Transformations) => ({ transformations: t, viewKey: viewKey(t) });
const servicesOnly = request(normalizeTransformations({ ...NOTHING_PROVIDED, services: { ...NOTHING_PROVIDED.services, all: true } }));
const nothing = request(NOTHING_PROVIDED);

describe('PresentityViews', () => {
  it('views - the whole-document view is the composed document itself', () => {
    const views = new PresentityViews(ALICE, { maxViews: 4 });
    const document = doc('open');
    expect(views.viewOf(1, document, request(EVERYTHING_PROVIDED))).toBe(document);
    expect(views.cachedViews).toBe(0);
  });

  it('views - one render per distinct view and version: watchers with equal keys share the same string', () => {
    const views = new PresentityViews(ALICE, { maxViews: 4 });
    const first = views.viewOf(1, doc('open'), servicesOnly);
    expect(first).toContain('<basic>open</basic>');
    expect(first).not.toContain('secret');
    const equalKey = request(normalizeTransformations({ ...NOTHING_PROVIDED, services: { ...NOTHING_PROVIDED.services, all: true, classes: [] } }));
    expect(views.viewOf(1, doc('open'), equalKey)).toBe(first);
    expect(views.viewOf(1, doc('open'), nothing)).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${ALICE}"/>`);
    expect(views.cachedViews).toBe(2);
  });

  it('views - a new version drops the views of the old one', () => {
    const views = new PresentityViews(ALICE, { maxViews: 4 });
    views.viewOf(1, doc('open'), servicesOnly);
    views.viewOf(1, doc('open'), nothing);
    const next = views.viewOf(2, doc('closed'), servicesOnly);
    expect(next).toContain('<basic>closed</basic>');
    expect(views.cachedViews).toBe(1);
  });

  it('views - beyond maxViews a view is still right, only not kept', () => {
    const views = new PresentityViews(ALICE, { maxViews: 1 });
    views.viewOf(1, doc('open'), servicesOnly);
    expect(views.viewOf(1, doc('open'), nothing)).not.toContain('tuple');
    expect(views.cachedViews).toBe(1);
    expect(() => new PresentityViews(ALICE, { maxViews: -1 })).toThrow(RangeError);
  });

  it('views - nothing published, or a document that does not parse, shows as offline (fails closed)', () => {
    const views = new PresentityViews(ALICE, { maxViews: 4 });
    expect(views.viewOf(0, '', servicesOnly)).toBe(emptyPidf(ALICE));
    expect(views.viewOf(0, '', request(EVERYTHING_PROVIDED))).toBe(emptyPidf(ALICE));
    expect(views.viewOf(3, '<presence', servicesOnly)).toBe(emptyPidf(ALICE));
    expect(views.politeBlock()).toBe(emptyPidf(ALICE));
  });
});
