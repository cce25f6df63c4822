import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../policy-error.js';
import { changedWatchers, mergeWatcherInfo } from './merge-watcherinfo.js';
import { parseWatcherInfo } from './parse-watcherinfo.js';
import { renderWatcherInfo } from './render-watcherinfo.js';
import { WATCHER_EVENTS, WATCHER_STATUSES, type WatcherEntry, type WatcherInfo } from './watcherinfo.js';

const RFC_3858_EXAMPLE = `<?xml version="1.0"?>
<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="0" state="full">
  <watcher-list resource="sip:professor@example.net" package="presence">
    <watcher status="active" id="8ajksjda7s" duration-subscribed="509" event="approved">sip:userA@example.net</watcher>
    <watcher status="pending" id="hh8juja87s997-ass7" display-name="Mr. Subscriber" event="subscribe">sip:userB@example.org</watcher>
  </watcher-list>
</watcherinfo>`;

const entry = (id: string, status: WatcherEntry['status'], event: WatcherEntry['event']): WatcherEntry => ({ id, status, event, uri: `sip:${id}@example.com` });
const info = (version: number, state: WatcherInfo['state'], watchers: WatcherEntry[]): WatcherInfo => ({ version, state, lists: [{ resource: 'sip:alice@example.com', package: 'presence', watchers }] });

const refusal = (xml: string): string => {
  try {
    parseWatcherInfo(xml);
  } catch (error) {
    if (error instanceof PolicyError) return error.reason;
    throw error;
  }
  throw new Error('expected a PolicyError');
};

describe('watcherinfo', () => {
  it('winfo - parses the RFC 3858 example', () => {
    expect(parseWatcherInfo(RFC_3858_EXAMPLE)).toEqual({
      version: 0,
      state: 'full',
      lists: [
        {
          resource: 'sip:professor@example.net',
          package: 'presence',
          watchers: [
            { id: '8ajksjda7s', status: 'active', event: 'approved', uri: 'sip:userA@example.net', durationSubscribed: 509 },
            { id: 'hh8juja87s997-ass7', status: 'pending', event: 'subscribe', uri: 'sip:userB@example.org', displayName: 'Mr. Subscriber' },
          ],
        },
      ],
    });
  });

  it('winfo - renders compactly, escaping what needs it, empty lists and documents self-closed', () => {
    expect(renderWatcherInfo({ version: 3, state: 'partial', lists: [] })).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="3" state="partial"/>');
    const rendered = renderWatcherInfo({ version: 1, state: 'full', lists: [{ resource: 'sip:a&b@example.com', package: 'presence', watchers: [{ ...entry('w1', 'pending', 'subscribe'), displayName: '"Bob" <b>', expiration: 60, durationSubscribed: 0, lang: 'en' }] }, { resource: 'sip:c@example.com', package: 'presence', watchers: [] }] });
    expect(rendered).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="1" state="full"><watcher-list resource="sip:a&amp;b@example.com" package="presence"><watcher id="w1" status="pending" event="subscribe" display-name="&quot;Bob&quot; &lt;b&gt;" expiration="60" duration-subscribed="0" xml:lang="en">sip:w1@example.com</watcher></watcher-list><watcher-list resource="sip:c@example.com" package="presence"/></watcherinfo>',
    );
    expect(() => renderWatcherInfo({ version: -1, state: 'full', lists: [] })).toThrow(RangeError);
    expect(() => renderWatcherInfo(info(0, 'full', [{ ...entry('w', 'active', 'approved'), durationSubscribed: 1.5 }]))).toThrow(/duration-subscribed/);
  });

  it('winfo - refuses documents that break the schema, naming the problem', () => {
    const doc = (body: string, root = 'version="0" state="full"') => `<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" ${root}>${body}</watcherinfo>`;
    expect(refusal(doc('', 'state="full"'))).toBe('Invalid watcherinfo: <watcherinfo> without version');
    expect(refusal(doc('', 'version="x" state="full"'))).toBe('Invalid watcherinfo: <watcherinfo> version must be a non-negative integer');
    expect(refusal(doc('', 'version="1" state="some"'))).toMatch(/state must be full or partial/);
    expect(refusal(doc('<watcher-list package="presence"/>'))).toBe('Invalid watcherinfo: <watcher-list> without resource');
    expect(refusal(doc('<watcher-list resource="r" package="presence"><watcher id="a" status="asleep" event="subscribe">sip:a@b</watcher></watcher-list>'))).toMatch(/status must be one of pending\|active\|waiting\|terminated/);
    expect(refusal(doc('<watcher-list resource="r" package="presence"><watcher id="a" status="active" event="woke">sip:a@b</watcher></watcher-list>'))).toMatch(/event must be one of/);
    expect(refusal(doc('<watcher-list resource="r" package="presence"><watcher id="a" status="active" event="approved"> </watcher></watcher-list>'))).toBe('Invalid watcherinfo: watcher without a URI');
    expect(refusal('<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="x"/>')).toMatch(/root element is not/);
    expect(refusal('<!DOCTYPE x []><watcherinfo/>')).toBe('Malformed watcherinfo: DOCTYPE not allowed');
  });

  it('winfo property - parse(render(x)) = x', () => {
    const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).filter((s) => !/[\u0000-\u001f\u007f-\u009f\ufffe\uffff]/.test(s));
    const uri = text.filter((s) => s.trim() === s);
    const arbEntry: fc.Arbitrary<WatcherEntry> = fc
      .record({ id: text, status: fc.constantFrom(...WATCHER_STATUSES), event: fc.constantFrom(...WATCHER_EVENTS), uri, displayName: fc.option(text, { nil: undefined }), durationSubscribed: fc.option(fc.nat(), { nil: undefined }), expiration: fc.option(fc.nat(), { nil: undefined }), lang: fc.option(fc.constantFrom('en', 'fr-CA'), { nil: undefined }) })
      .map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) as unknown as WatcherEntry);
    const arbInfo: fc.Arbitrary<WatcherInfo> = fc.record({
      version: fc.nat(),
      state: fc.constantFrom('full' as const, 'partial' as const),
      lists: fc.array(fc.record({ resource: text, package: fc.constantFrom('presence', 'message-summary'), watchers: fc.array(arbEntry, { maxLength: 4 }) }), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(arbInfo, (x) => {
        expect(parseWatcherInfo(renderWatcherInfo(x))).toEqual(x);
      }),
    );
  });

  it('winfo merge - full replaces, partial updates by id and drops the terminated, versions must follow', () => {
    const full = info(4, 'full', [entry('a', 'active', 'approved'), entry('b', 'pending', 'subscribe')]);
    const first = mergeWatcherInfo(undefined, full);
    expect(first).toEqual({ ok: true, info: full });
    if (!first.ok) return;
    const partial = info(5, 'partial', [entry('b', 'active', 'approved'), entry('a', 'terminated', 'timeout'), entry('c', 'pending', 'subscribe')]);
    expect(mergeWatcherInfo(first.info, partial)).toEqual({ ok: true, info: info(5, 'full', [entry('b', 'active', 'approved'), entry('c', 'pending', 'subscribe')]) });
    expect(mergeWatcherInfo(first.info, info(4, 'partial', []))).toEqual({ ok: false, reason: 'stale' });
    expect(mergeWatcherInfo(first.info, info(7, 'partial', []))).toEqual({ ok: false, reason: 'gap' });
    expect(mergeWatcherInfo(undefined, info(1, 'partial', []))).toEqual({ ok: false, reason: 'gap' });
    expect(mergeWatcherInfo(first.info, info(9, 'full', [entry('z', 'terminated', 'rejected')]))).toEqual({ ok: true, info: info(9, 'full', []) });
  });

  it('winfo changes - a partial notification carries the new and changed watchers, not those whose durations merely grew', () => {
    const before = info(1, 'full', [entry('a', 'active', 'approved'), entry('b', 'pending', 'subscribe')]).lists[0];
    const now = info(2, 'full', [{ ...entry('a', 'active', 'approved'), durationSubscribed: 99 }, entry('b', 'terminated', 'rejected'), entry('c', 'pending', 'subscribe')]).lists[0];
    if (before === undefined || now === undefined) throw new Error('lists missing');
    expect(changedWatchers(before, now)).toEqual([entry('b', 'terminated', 'rejected'), entry('c', 'pending', 'subscribe')]);
    expect(changedWatchers(undefined, now)).toEqual(now.watchers);
  });
});
