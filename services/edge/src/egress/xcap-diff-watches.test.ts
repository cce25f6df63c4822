import { LocalBus, type BusSubscription } from '@presence/bus';
import { createSubjects, encodeMessage } from '@presence/contracts';
import { systemClock } from '@presence/core';
import { silentLogger } from '@presence/runtime';
import { createMemoryStore, type MemoryStore } from '@presence/store';
import { eventually } from '@presence/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDialog } from '../../test/test-dialog.js';
import { XCAP_DIFF_PACKAGE, XcapDiffWatches } from './xcap-diff-watches.js';

const ALICE = 'sip:alice@example.com';
const subjects = createSubjects('unit.');
const body = (...uris: string[]) => `<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list>${uris.map((u) => `<entry uri="${u}"/>`).join('')}</list></resource-lists>`;
const fields = (subscriptionId: string) => ({ presentity: ALICE, subscriptionId, watcher: ALICE, event: XCAP_DIFF_PACKAGE, expires: 600, edgeId: 'e' });

describe('xcap-diff watches', () => {
  let bus: LocalBus;
  let store: MemoryStore;
  let watches: XcapDiffWatches;
  let open: Map<string, number>;
  let changed: string[];

  beforeEach(async () => {
    bus = new LocalBus();
    store = await createMemoryStore({ clock: systemClock });
    open = new Map();
    const subscribe = bus.subscribe.bind(bus);
    // Counts the live bus subscriptions per subject.
    bus.subscribe = (subject, handler, options) => {
      const subscription: BusSubscription = subscribe(subject, handler, options);
      open.set(subject, (open.get(subject) ?? 0) + 1);
      const unsubscribe = subscription.unsubscribe.bind(subscription);
      subscription.unsubscribe = () => (open.set(subject, open.get(subject)! - 1), unsubscribe());
      return subscription;
    };
    watches = new XcapDiffWatches(store, bus, subjects, '/xcap-root', silentLogger);
    changed = [];
    watches.delegate = { onPackageChanged: (eventPackage, presentity) => void changed.push(`${eventPackage} ${presentity}`) };
  });

  afterEach(async () => {
    watches.close();
    await bus.close();
    await store.close();
  });

  const announce = (filename: string, previousEtag: string | undefined, etag: string | undefined) =>
    bus.publish(subjects.xcapChange('pres-rules'), encodeMessage({ v: 1, type: 'xcap-change', auid: 'pres-rules', scope: 'users', owner: ALICE, filename, ...(previousEtag ? { previousEtag } : {}), ...(etag ? { etag } : {}), changedAt: 1 }));

  it('xcap-diff watches - a refresh without a body keeps the resources; a new body moves the auid subscriptions; forgetting the last dialog ends them', async () => {
    const { state: first } = await watches.agent.subscribe(fields('d1'), body(`pres-rules/users/${ALICE}/index`));
    watches.interest.apply(first);
    expect(open.get(subjects.xcapChange('pres-rules'))).toBe(1);
    const { state: refreshed } = await watches.agent.subscribe(fields('d1'));
    expect(refreshed.resources).toEqual(first.resources);
    await expect(watches.agent.subscribe(fields('unknown'))).rejects.toMatchObject({ status: 400 });
    watches.interest.apply((await watches.agent.subscribe(fields('d1'), body(`resource-lists/users/${ALICE}/`))).state);
    expect(open.get(subjects.xcapChange('pres-rules'))).toBe(0);
    expect(open.get(subjects.xcapChange('resource-lists'))).toBe(1);
    watches.forget(testDialog({ id: 'd1', presentity: ALICE }));
    expect(open.get(subjects.xcapChange('resource-lists'))).toBe(0);
  });

  it('xcap-diff watches - changes queue per dialog and go in one NOTIFY; past the queue bound, full state instead', async () => {
    const dialog = testDialog({ id: 'd2', presentity: ALICE, event: XCAP_DIFF_PACKAGE });
    watches.interest.apply((await watches.agent.subscribe(fields('d2'), body(`pres-rules/users/${ALICE}/`))).state);
    expect(String(watches.next(dialog)?.body)).toMatch(/<xcap-diff [^>]*xcap-root="\/xcap-root"\/>$/);
    announce('index', undefined, 'e1');
    announce('index', 'e1', 'e2');
    announce('other', 'x1', undefined);
    await eventually(() => expect(changed).toHaveLength(3));
    expect(changed[0]).toBe(`${XCAP_DIFF_PACKAGE} ${ALICE}`);
    expect(String(watches.next(dialog)?.body)).toContain(
      `<document sel="pres-rules/users/${ALICE}/index" new-etag="e1"/><document sel="pres-rules/users/${ALICE}/index" previous-etag="e1" new-etag="e2"/><document sel="pres-rules/users/${ALICE}/other" previous-etag="x1"/>`,
    );
    for (let i = 0; i < 70; i++) announce(`f${i}`, undefined, `g${i}`);
    await eventually(() => expect(changed).toHaveLength(73));
    const full = String(watches.next(dialog)?.body);
    expect(full.match(/<document /g)).toHaveLength(71);
    expect(full).not.toContain('previous-etag');
  });
});
