import { createPresenceMetrics } from '@presence/metrics';
import { mergeFilterSet, parseFilterDocument } from '@presence/policy';
import { silentLogger } from '@presence/runtime';
import type { OutgoingRequest, SipResponse } from '@presence/sip';
import { FakeClock } from '@presence/testkit';
import { describe, expect, it } from 'vitest';
import { testDialog } from '../../test/test-dialog.js';
import type { NotifyControls } from '../subscriptions/index.js';
import { FilteredViews } from './filtered-views.js';
import { Notifier } from './notifier.js';
import { PresenceBodies } from './notify-bodies.js';
import { PartialPresenceBodies } from './partial-notify.js';
import type { WatchedState } from './presentity-interest.js';

/*
 * How the #15 features combine at the notifier (docs/architecture.md, "How
 * the #15 features combine"): a filtered watcher's entity-tag names its
 * filtered document, a filter trigger holds back changes but not RFC 6446
 * keep-alives, the filtered watcher keeps to its max-rate; a partial
 * watcher's diffs are between filtered documents, and a body the RFC 5839
 * condition drops does not move its version.
 */

const START = 1_700_000_000_000;
const PRESENTITY = 'sip:p@example.com';
const BASIC_FILTER = mergeFilterSet(
  undefined,
  parseFilterDocument(
    '<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter"><ns-bindings><ns-binding prefix="p" urn="urn:ietf:params:xml:ns:pidf"/></ns-bindings>' +
      '<filter id="b"><what><include>//p:basic</include></what><trigger><changed>//p:basic</changed></trigger></filter></filter-set>',
  ),
)!;

function pidf(basic: string, note: string): Uint8Array {
  return Buffer.from(`<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${PRESENTITY}"><tuple id="t"><status><basic>${basic}</basic></status><note>${note}</note></tuple></presence>`);
}

function setup(options: { partial?: boolean } = {}) {
  const clock = new FakeClock(START);
  const metrics = createPresenceMetrics({ processMetrics: false });
  const sent: { at: number; etag: string | undefined; body: string }[] = [];
  const state = { version: 1, incarnation: 'i1', body: pidf('open', 'n1'), views: undefined, changedAt: 0, holders: 1 } as unknown as WatchedState & { body: Uint8Array };
  const bodies = new PresenceBodies({ current: () => state, bodyOf: (_p, s) => (s as typeof state).body }, { filtered: new FilteredViews(metrics), partial: new PartialPresenceBodies(metrics) });
  const notifier = new Notifier({
    sender: {
      sendRequest: (request: OutgoingRequest) => {
        const body = typeof request.body === 'string' ? request.body : Buffer.from(request.body ?? '').toString();
        sent.push({ at: clock.now() - START, etag: request.headers['sip-etag'] as string | undefined, body });
        return Promise.resolve({ status: 200, header: () => undefined } as unknown as SipResponse);
      },
    },
    bodies,
    clock,
    minIntervalMs: 0,
    keepAliveMinIntervalMs: 1000,
    metrics,
    logger: silentLogger,
  });
  const plain = testDialog({ id: 'plain', expiresAt: START + 3_600_000 });
  const filtered = testDialog({ id: 'filtered', expiresAt: START + 3_600_000, partial: options.partial === true });
  filtered.filter = BASIC_FILTER;
  const changed = async (version: number, basic: string, note: string) => {
    state.version = version;
    state.body = pidf(basic, note);
    notifier.stateChanged(filtered);
    await settle();
  };
  const subscribe = async (controls: NotifyControls) => {
    const holds = notifier.applyControls(filtered, controls, 3600);
    notifier.notifyNow(filtered);
    await settle();
    return holds;
  };
  const advance = async (ms: number) => {
    clock.advance(ms);
    await settle();
  };
  return { bodies, sent, plain, filtered, changed, subscribe, advance };
}

describe('#15 features combined at the notifier', () => {
  it('filter + RFC 5839 - a filtered watcher is tagged for its filtered document: not the view tag, and a new filter set makes the held tag stale', async () => {
    const { bodies, sent, plain, filtered, subscribe } = setup();
    await subscribe({});
    const tag = sent[0]!.etag!;
    expect(sent[0]!.body).not.toContain('<note>');
    expect(tag).not.toBe(bodies.entityTag(plain));
    expect(await subscribe({ suppressIfMatch: tag })).toBe(true);
    filtered.filter = mergeFilterSet(BASIC_FILTER, parseFilterDocument('<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter"><filter id="n"><what><include>//note</include></what></filter></filter-set>'));
    expect(await subscribe({ suppressIfMatch: tag })).toBe(false);
    expect(sent.at(-1)!.body).toContain('<note>');
  });

  it('filter + RFC 5839 - a change the trigger holds back still moves the tag: a SUBSCRIBE with the old one gets the current filtered state', async () => {
    const { sent, subscribe, changed } = setup();
    await subscribe({});
    const tag = sent[0]!.etag!;
    await changed(2, 'open', 'n2');
    expect(sent).toHaveLength(1);
    expect(await subscribe({ suppressIfMatch: tag })).toBe(false);
    expect(sent[1]!.etag).not.toBe(tag);
  });

  it('filter + RFC 6446 - the trigger holds back changes, not min-rate keep-alives, which carry the current filtered state', async () => {
    const { sent, subscribe, changed, advance } = setup();
    await subscribe({ rates: { minRate: 0.5 } });
    await changed(2, 'open', 'n2');
    expect(sent).toHaveLength(1);
    await advance(2_000);
    expect(sent.map((n) => n.at)).toEqual([0, 2_000]);
    expect(sent[1]!.body).toContain('<basic>open</basic>');
    expect(sent[1]!.body).not.toContain('<note>');
  });

  it('partial + filter - a filtered partial watcher gets pidf-full, then pidf-diff, of its filtered documents', async () => {
    const { sent, subscribe, changed } = setup({ partial: true });
    await subscribe({});
    await changed(2, 'open', 'n2');
    await changed(3, 'closed', 'n3');
    expect(sent).toHaveLength(2);
    expect(sent[0]!.body).toContain('pidf-full');
    expect(sent[1]!.body).toContain('pidf-diff');
    expect(sent[1]!.body).toContain('version="1"');
    expect(sent[1]!.body).toContain('closed');
    expect(sent.map((n) => n.body).join()).not.toContain('<note>');
  });

  it('partial + RFC 5839 - a body the condition drops moves no version: the next change is the next diff, no gap', async () => {
    const { sent, subscribe, changed } = setup({ partial: true });
    await subscribe({});
    expect(await subscribe({ suppressIfMatch: sent[0]!.etag! })).toBe(true);
    expect(sent[1]!.body).toBe('');
    await changed(2, 'closed', 'n2');
    expect(sent[2]!.body).toContain('pidf-diff');
    expect(sent[2]!.body).toContain('version="1"');
  });

  it('partial + RFC 6446 - a min-rate keep-alive has nothing new to diff: it is the current state as pidf-full, next version', async () => {
    const { sent, subscribe, advance } = setup({ partial: true });
    await subscribe({ rates: { minRate: 0.5 } });
    await advance(2_000);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.body).toContain('pidf-full');
    expect(sent[1]!.body).toContain('version="1"');
  });

  it('filter + RFC 6446 - a change the trigger lets through keeps to the max-rate gap', async () => {
    const { sent, subscribe, changed, advance } = setup();
    await subscribe({ rates: { maxRate: 0.5 } });
    await changed(2, 'closed', 'n2');
    expect(sent).toHaveLength(1);
    await advance(2_000);
    expect(sent.map((n) => [n.at, n.body.includes('<basic>closed</basic>')])).toEqual([
      [0, false],
      [2_000, true],
    ]);
  });
});

const settle = () => new Promise((resolve) => setImmediate(resolve));
