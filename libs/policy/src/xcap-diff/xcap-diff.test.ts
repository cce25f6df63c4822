import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../policy-error.js';
import { renderXcapDiff } from './render-xcap-diff.js';
import { documentSelector, parseXcapDiffResources, resourceCovers, type XcapResource } from './xcap-diff-resources.js';

const lists = (...uris: string[]) =>
  `<?xml version="1.0"?><resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list>${uris.map((u) => `<entry uri="${u.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;')}"/>`).join('')}</list></resource-lists>`;

const refusal = (xml: string): string => {
  try {
    parseXcapDiffResources(xml);
  } catch (error) {
    if (error instanceof PolicyError) return error.reason;
    throw error;
  }
  throw new Error('expected a PolicyError');
};

describe('xcap-diff', () => {
  it('xcap-diff resources - documents and directories, relative or absolute under /xcap-root/, nested lists read through', () => {
    const xml = `<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list>
      <entry uri="resource-lists/users/sip:joe@example.com/index"/>
      <entry uri="https://xcap.example.com/xcap-root/pres-rules/users/sip%3Ajoe%40example.com/"/>
      <list><entry uri="xcap-caps/global/index"/></list></list></resource-lists>`;
    expect(parseXcapDiffResources(xml)).toEqual([
      { auid: 'resource-lists', scope: 'users', owner: 'sip:joe@example.com', filename: 'index' },
      { auid: 'pres-rules', scope: 'users', owner: 'sip:joe@example.com' },
      { auid: 'xcap-caps', scope: 'global', owner: '', filename: 'index' },
    ]);
  });

  it('xcap-diff resources - refuses what names no XCAP resource, naming the problem', () => {
    expect(refusal(lists())).toBe('Invalid xcap-diff subscription: no <entry> names an XCAP resource');
    expect(refusal(lists('pres-rules/people/sip:a@b/index'))).toMatch(/is not under users\/<AOR>\/ or global\//);
    expect(refusal(lists('pres rules/users/sip:a@b/index'))).toMatch(/names no application usage/);
    expect(refusal(lists('pres-rules/users/sip:a@b/../sip:c@d/index'))).toMatch(/empty or relative step/);
    expect(refusal(lists('pres-rules/users/%E0%A4%A/index'))).toMatch(/malformed escape/);
    expect(refusal(lists(...Array.from({ length: 101 }, (_, i) => `a/global/${i}`)))).toMatch(/more than 100 resources/);
    expect(refusal('<!DOCTYPE x []><resource-lists/>')).toMatch(/DOCTYPE not allowed/);
    expect(refusal('<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="x"/>')).toMatch(/root element is not/);
  });

  it('xcap-diff resources property - parse(entries(x)) = x; any damaged body is read or refused with a PolicyError', () => {
    const token = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/).filter((s) => s !== '.' && s !== '..');
    const resource: fc.Arbitrary<XcapResource> = fc.oneof(
      fc.record({ auid: token, scope: fc.constant('global' as const), owner: fc.constant(''), filename: fc.option(token, { nil: undefined }) }),
      fc.record({ auid: token, scope: fc.constant('users' as const), owner: token.map((u) => `sip:${u}@example.com`), filename: fc.option(token, { nil: undefined }) }),
    ).map((r) => (r.filename === undefined ? { auid: r.auid, scope: r.scope, owner: r.owner } : r));
    const uriOf = (r: XcapResource) => (r.scope === 'global' ? `${r.auid}/global/${r.filename ?? ''}` : `${r.auid}/users/${encodeURIComponent(r.owner)}/${r.filename ?? ''}`);
    fc.assert(
      fc.property(fc.array(resource, { minLength: 1, maxLength: 8 }), (resources) => {
        expect(parseXcapDiffResources(lists(...resources.map(uriOf)))).toEqual(resources);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.nat(), (junk, at) => {
        const base = lists('pres-rules/users/sip:a@example.com/index');
        const damaged = base.slice(0, at % base.length) + junk + base.slice(at % base.length);
        try {
          parseXcapDiffResources(damaged);
        } catch (error) {
          expect(error).toBeInstanceOf(PolicyError);
        }
      }),
    );
  });

  it('xcap-diff document - full state carries new etags, a change both, a deletion only the previous one', () => {
    const ref = { auid: 'pres-rules', scope: 'users' as const, owner: 'sip:joe@example.com', filename: 'index' };
    expect(documentSelector(ref)).toBe('pres-rules/users/sip:joe@example.com/index');
    expect(documentSelector({ ...ref, scope: 'global', owner: '' })).toBe('pres-rules/global/index');
    expect(resourceCovers({ auid: 'pres-rules', scope: 'users', owner: 'sip:joe@example.com' }, ref)).toBe(true);
    expect(resourceCovers({ auid: 'pres-rules', scope: 'users', owner: 'sip:joe@example.com', filename: 'other' }, ref)).toBe(false);
    expect(resourceCovers({ auid: 'resource-lists', scope: 'users', owner: 'sip:joe@example.com' }, ref)).toBe(false);
    expect(renderXcapDiff('http://127.0.0.1:8090/xcap-root', [])).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<xcap-diff xmlns="urn:ietf:params:xml:ns:xcap-diff" xcap-root="http://127.0.0.1:8090/xcap-root"/>');
    expect(renderXcapDiff('/xcap-root', [{ sel: 'a/users/sip:j@x/index', newEtag: 'e1' }, { sel: 'b/global/index', previousEtag: 'e0', newEtag: 'e2' }, { sel: 'c/users/sip:j@x/index', previousEtag: 'e3' }])).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<xcap-diff xmlns="urn:ietf:params:xml:ns:xcap-diff" xcap-root="/xcap-root"><document sel="a/users/sip:j@x/index" new-etag="e1"/><document sel="b/global/index" previous-etag="e0" new-etag="e2"/><document sel="c/users/sip:j@x/index" previous-etag="e3"/></xcap-diff>',
    );
  });
});
