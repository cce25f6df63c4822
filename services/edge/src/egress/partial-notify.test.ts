import { createPresenceMetrics } from '@presence/metrics';
import { applyPatch, getAttribute, isElement, parsePartialPidf, pidfDiffOf, pidfFullOf, presenceTree, renderPresence } from '@presence/pidf';
import { metricValue } from '@presence/testkit';
import { describe, expect, it } from 'vitest';
import { testDialog } from '../../test/test-dialog.js';
import { PartialPresenceBodies } from './partial-notify.js';
import type { WatchedState } from './presentity-interest.js';

const ENTITY = 'sip:p@example.com';
const doc = (...tuples: [string, string][]) => renderPresence(ENTITY, [tuples.map(([id, basic]) => ({ ns: 'urn:ietf:params:xml:ns:pidf', name: 'tuple', attributes: [{ ns: '', name: 'id', value: id }], children: [{ ns: 'urn:ietf:params:xml:ns:pidf', name: 'status', attributes: [], children: [{ ns: 'urn:ietf:params:xml:ns:pidf', name: 'basic', attributes: [], children: [{ text: basic }] }] }] }))]);
const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
/** A version as the interest holds it: one byte array per version, shared by its watchers. */
const version = (v: number, xml: string, incarnation = 'i1') => ({ state: { version: v, incarnation, changedAt: 0 } as WatchedState, body: bytes(xml) });
const text = (body: Uint8Array) => Buffer.from(body).toString('utf8');

/** A watcher applying what it is sent (pidf-full starts over), to check a body against the document it should make. */
function rebuild(held: string | undefined, body: string): string {
  const read = parsePartialPidf(body);
  const presence = read.kind === 'full' ? read.presence : applyPatch(presenceTree(held!), read.operations);
  return renderPresence(getAttribute(presence, 'entity')!, [presence.children.filter(isElement)]);
}

function setup() {
  const metrics = createPresenceMetrics({ processMetrics: false });
  const renders = { diff: 0, full: 0 };
  const bodies = new PartialPresenceBodies(metrics, {
    diff: (from, to, length) => (renders.diff++, pidfDiffOf(from, to, length)),
    full: (presence) => (renders.full++, pidfFullOf(presence)),
  });
  const send = (dialog: ReturnType<typeof testDialog>, at: ReturnType<typeof version>) => text(bodies.body(dialog, dialog.partial!, at.state, at.body));
  return { metrics, renders, send };
}

const partialDialog = (id: string) => testDialog({ id, partial: true });
const big = (basic: string) => doc(['a', basic], ['b', 'open'], ['c', 'open'], ['d', 'open']);

describe('partial notification bodies (RFC 5263)', () => {
  it('partial - watchers in the same place share one rendering; only the version differs', async () => {
    const { metrics, renders, send } = setup();
    const [one, two] = [partialDialog('1'), partialDialog('2')];
    const v1 = version(1, big('open'));
    expect(send(one, v1)).toContain('<p:pidf-full ');
    expect(send(two, v1)).toContain('version="0"');
    expect(renders).toEqual({ diff: 0, full: 1 });
    const v2 = version(2, big('closed'));
    const first = send(one, v2);
    const second = send(two, v2);
    expect(first).toContain('<p:pidf-diff ');
    expect(first).toBe(second);
    expect(first).toContain('version="1"');
    expect(rebuild(big('open'), first)).toBe(big('closed'));
    expect(renders).toEqual({ diff: 1, full: 1 });
    expect(metricValue(await metrics.render(), 'presence_partial_notifies_total', { kind: 'diff' })).toBe(2);
  });

  it('partial - a watcher that skipped versions (coalesced) gets a diff from what it last got', () => {
    const { renders, send } = setup();
    const [slow, fast] = [partialDialog('slow'), partialDialog('fast')];
    const states = [big('open'), big('closed'), doc(['a', 'closed'], ['b', 'open'], ['c', 'closed'], ['d', 'open'])].map((xml, i) => version(i + 1, xml));
    send(slow, states[0]!);
    send(fast, states[0]!);
    send(fast, states[1]!);
    const slowDiff = send(slow, states[2]!);
    const fastDiff = send(fast, states[2]!);
    expect(slowDiff).toContain('version="1"');
    expect(fastDiff).toContain('version="2"');
    expect(rebuild(big('open'), slowDiff)).toBe(text(states[2]!.body));
    expect(rebuild(big('closed'), fastDiff)).toBe(text(states[2]!.body));
    expect(renders.diff).toBe(3);
  });

  it('partial - full state again on a refresh, far behind, another view or another store incarnation', () => {
    const { send } = setup();
    const watcher = partialDialog('w');
    send(watcher, version(1, big('open')));
    expect(send(watcher, version(1, big('open')))).toContain('<p:pidf-full ');
    const far = partialDialog('far');
    send(far, version(1, big('open')));
    const later = [2, 3, 4, 5, 6].map((v) => version(v, big(v % 2 === 0 ? 'closed' : 'open')));
    const near = partialDialog('near');
    for (const state of later) {
      send(watcher, state);
      if (state.state.version === 3) send(near, state);
    }
    // Four versions are kept (3 to 6): version 1 is gone, so no diff can start there; one can from 3.
    expect(send(far, later[4]!)).toContain('<p:pidf-full ');
    expect(send(near, later[4]!)).toContain('<p:pidf-diff ');
    watcher.showView('restricted');
    expect(send(watcher, version(7, big('closed')))).toContain('<p:pidf-full ');
    expect(send(watcher, version(1, big('open'), 'i2'))).toContain('<p:pidf-full ');
    expect(send(watcher, version(2, big('closed'), 'i2'))).toContain('<p:pidf-diff ');
  });

  it('partial - a diff no smaller than the document is sent as the full state', () => {
    const { send } = setup();
    const watcher = partialDialog('w');
    send(watcher, version(1, doc(['a', 'open'])));
    expect(send(watcher, version(2, doc(['b', 'closed'])))).toContain('<p:pidf-full ');
  });
});
