import { type Store, type XcapConditions, type XcapDocumentRef, xcapConditionsHold } from '@presence/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** What the XCAP part of the contract reads from the running storeContract: the store under test and this test's tag. */
export interface XcapContractContext {
  readonly store: () => Store;
  readonly tag: () => string;
}

/**
 * XcapDocumentStore behaviour, part of storeContract (which calls this
 * inside its describe), kept in its own file because it is its own port.
 */
export function xcapDocumentContract(context: XcapContractContext): void {
  describe('xcap documents', () => {
    const owner = (user: string): string => `sip:${user}-${context.tag()}@example.com`;
    const rules = (user: string, filename = 'index'): XcapDocumentRef => ({ auid: 'pres-rules', scope: 'users', owner: owner(user), filename });
    const global = (filename: string): XcapDocumentRef => ({ auid: `xcap-caps-${context.tag()}`, scope: 'global', owner: '', filename });
    const body = (n: number): string => `<ruleset xmlns="urn:ietf:params:xml:ns:common-policy"><rule id="r${n}"/></ruleset>`;

    it('xcap documents - a put creates the document, a get returns it with the same entity tag, a second put replaces it under a new one', async () => {
      const store = context.store();
      expect(await store.xcapDocument(rules('alice'))).toBeUndefined();
      const created = await store.putXcapDocument(rules('alice'), body(1));
      expect(created).toMatchObject({ ok: true, created: true });
      if (!created.ok) return;
      expect(await store.xcapDocument(rules('alice'))).toEqual({ body: body(1), etag: created.etag });
      const replaced = await store.putXcapDocument(rules('alice'), body(2));
      expect(replaced).toMatchObject({ ok: true, created: false });
      if (!replaced.ok) return;
      expect(replaced.etag).not.toBe(created.etag);
      expect(await store.xcapDocument(rules('alice'))).toEqual({ body: body(2), etag: replaced.etag });
      expect(await store.xcapDocument(rules('bob'))).toBeUndefined();
    });

    it('xcap documents - bodies keep every character, newlines and non-ASCII included', async () => {
      const store = context.store();
      const text = '<?xml version="1.0"?>\n<a>\r\n é ✓ 😀 </a>\n';
      await store.putXcapDocument(rules('alice'), text);
      expect((await store.xcapDocument(rules('alice')))?.body).toBe(text);
      await store.putXcapDocument(rules('alice', 'empty'), '');
      expect((await store.xcapDocument(rules('alice', 'empty')))?.body).toBe('');
    });

    it('xcap documents - If-Match: a put or delete with a stale or absent tag changes nothing', async () => {
      const store = context.store();
      expect(await store.putXcapDocument(rules('alice'), body(1), { ifMatch: '*' })).toEqual({ ok: false, reason: 'precondition-failed' });
      expect(await store.xcapDocument(rules('alice'))).toBeUndefined();
      const first = await store.putXcapDocument(rules('alice'), body(1));
      if (!first.ok) throw new Error('first put failed');
      const second = await store.putXcapDocument(rules('alice'), body(2), { ifMatch: first.etag });
      expect(second).toMatchObject({ ok: true, created: false });
      expect(await store.putXcapDocument(rules('alice'), body(3), { ifMatch: first.etag })).toEqual({ ok: false, reason: 'precondition-failed' });
      expect(await store.deleteXcapDocument(rules('alice'), { ifMatch: first.etag })).toEqual({ ok: false, reason: 'precondition-failed' });
      expect((await store.xcapDocument(rules('alice')))?.body).toBe(body(2));
      expect(await store.putXcapDocument(rules('alice'), body(4), { ifMatch: '*' })).toMatchObject({ ok: true });
      expect((await store.xcapDocument(rules('alice')))?.body).toBe(body(4));
    });

    it('xcap documents - If-None-Match: * creates only, a tag refuses only that version', async () => {
      const store = context.store();
      const first = await store.putXcapDocument(rules('alice'), body(1), { ifNoneMatch: '*' });
      expect(first).toMatchObject({ ok: true, created: true });
      if (!first.ok) return;
      expect(await store.putXcapDocument(rules('alice'), body(2), { ifNoneMatch: '*' })).toEqual({ ok: false, reason: 'precondition-failed' });
      expect(await store.putXcapDocument(rules('alice'), body(2), { ifNoneMatch: first.etag })).toEqual({ ok: false, reason: 'precondition-failed' });
      expect(await store.putXcapDocument(rules('alice'), body(2), { ifNoneMatch: 'some-other-tag' })).toMatchObject({ ok: true });
      expect(await store.deleteXcapDocument(rules('alice'), { ifNoneMatch: '*' })).toEqual({ ok: false, reason: 'precondition-failed' });
      expect((await store.xcapDocument(rules('alice')))?.body).toBe(body(2));
    });

    it('xcap documents - delete removes the document; a missing one is not-found, or precondition-failed under If-Match', async () => {
      const store = context.store();
      const put = await store.putXcapDocument(rules('alice'), body(1));
      if (!put.ok) throw new Error('put failed');
      expect(await store.deleteXcapDocument(rules('alice'), { ifMatch: put.etag })).toEqual({ ok: true });
      expect(await store.xcapDocument(rules('alice'))).toBeUndefined();
      expect(await store.deleteXcapDocument(rules('alice'))).toEqual({ ok: false, reason: 'not-found' });
      expect(await store.deleteXcapDocument(rules('alice'), { ifMatch: '*' })).toEqual({ ok: false, reason: 'precondition-failed' });
      expect(await store.listXcapDocuments('users', owner('alice'), 10)).toEqual([]);
    });

    it('xcap documents - listing gives one owner\'s documents by auid then filename, at most limit, folders included', async () => {
      const store = context.store();
      const refs: XcapDocumentRef[] = [
        { auid: 'resource-lists', scope: 'users', owner: owner('alice'), filename: 'index' },
        rules('alice', 'index'),
        rules('alice', 'folder/other'),
        { auid: 'rls-services', scope: 'users', owner: owner('alice'), filename: 'index' },
      ];
      for (const ref of refs) await store.putXcapDocument(ref, body(1));
      await store.putXcapDocument(rules('bob'), body(1));
      const listed = await store.listXcapDocuments('users', owner('alice'), 10);
      expect(listed).toEqual([rules('alice', 'folder/other'), rules('alice', 'index'), refs[0], refs[3]]);
      expect(await store.listXcapDocuments('users', owner('alice'), 2)).toEqual(listed.slice(0, 2));
      expect(await store.listXcapDocuments('users', owner('alice'), 0)).toEqual([]);
      expect(await store.listXcapDocuments('users', owner('nobody'), 10)).toEqual([]);
    });

    it('xcap documents - the global tree is apart from every user\'s', async () => {
      const store = context.store();
      await store.putXcapDocument(global('index'), body(1));
      expect((await store.xcapDocument(global('index')))?.body).toBe(body(1));
      expect(await store.xcapDocument({ ...global('index'), scope: 'users', owner: owner('alice') })).toBeUndefined();
      const mine = (await store.listXcapDocuments('global', '', 100)).filter((ref) => ref.auid === global('index').auid);
      expect(mine).toEqual([global('index')]);
      expect(await store.deleteXcapDocument(global('index'))).toEqual({ ok: true });
    });

    it('xcap documents - bad references and conditions are refused with a RangeError naming the field', async () => {
      const store = context.store();
      await expect(store.xcapDocument({ ...rules('alice'), auid: 'a/b' })).rejects.toThrow(/auid/);
      await expect(store.xcapDocument({ ...rules('alice'), auid: '' })).rejects.toThrow(/auid/);
      await expect(store.putXcapDocument({ ...rules('alice'), owner: '' }, body(1))).rejects.toThrow(/owner/);
      await expect(store.putXcapDocument({ ...global('index'), owner: owner('alice') }, body(1))).rejects.toThrow(/owner/);
      await expect(store.putXcapDocument({ ...rules('alice'), filename: '' }, body(1))).rejects.toThrow(/filename/);
      await expect(store.putXcapDocument({ ...rules('alice'), scope: 'group' as 'users' }, body(1))).rejects.toThrow(/scope/);
      await expect(store.putXcapDocument(rules('alice'), body(1), { ifMatch: '' })).rejects.toThrow(/ifMatch/);
      await expect(store.deleteXcapDocument(rules('alice'), { ifNoneMatch: '' })).rejects.toThrow(/ifNoneMatch/);
      await expect(store.listXcapDocuments('users', owner('alice'), -1)).rejects.toBeInstanceOf(RangeError);
      await expect(store.listXcapDocuments('global', owner('alice'), 1)).rejects.toThrow(/owner/);
      expect(await store.listXcapDocuments('users', owner('alice'), 10)).toEqual([]);
    });

    it('xcap service uris - a claim is held by one document: the same holder again is ok, another is refused with the claim that stands', async () => {
      const store = context.store();
      const uri = `sip:friends-${context.tag()}@example.com`;
      const services = (user: string): XcapDocumentRef => ({ auid: 'rls-services', scope: 'users', owner: owner(user), filename: 'index' });
      expect(await store.xcapServiceClaim(uri)).toBeUndefined();
      expect(await store.claimXcapServiceUri(uri, services('alice'), 1_000)).toEqual({ ok: true });
      expect(await store.claimXcapServiceUri(uri, services('alice'), 2_000)).toEqual({ ok: true });
      const first = { holder: services('alice'), claimedAt: 1_000 };
      expect(await store.xcapServiceClaim(uri)).toEqual(first);
      expect(await store.claimXcapServiceUri(uri, services('bob'), 3_000)).toEqual({ ok: false, claim: first });
      expect(await store.claimXcapServiceUri(uri, { ...services('alice'), filename: 'other' }, 3_000)).toEqual({ ok: false, claim: first });
      expect(await store.releaseXcapServiceUri(uri, services('bob'))).toBe(false);
      expect(await store.xcapServiceClaim(uri)).toEqual(first);
      expect(await store.releaseXcapServiceUri(uri, services('alice'))).toBe(true);
      expect(await store.xcapServiceClaim(uri)).toBeUndefined();
      expect(await store.releaseXcapServiceUri(uri, services('alice'))).toBe(false);
    });

    it('xcap service uris - a claim is taken over only by naming it exactly (a claim left behind), and bad input is a RangeError', async () => {
      const store = context.store();
      const uri = `sip:team-${context.tag()}@example.com`;
      const services = (user: string): XcapDocumentRef => ({ auid: 'rls-services', scope: 'users', owner: owner(user), filename: 'index' });
      await store.claimXcapServiceUri(uri, services('alice'), 1_000);
      expect(await store.claimXcapServiceUri(uri, services('bob'), 5_000, { holder: services('alice'), claimedAt: 999 })).toMatchObject({ ok: false });
      expect(await store.claimXcapServiceUri(uri, services('bob'), 5_000, { holder: services('carol'), claimedAt: 1_000 })).toMatchObject({ ok: false });
      expect(await store.claimXcapServiceUri(uri, services('bob'), 5_000, { holder: services('alice'), claimedAt: 1_000 })).toEqual({ ok: true });
      expect(await store.xcapServiceClaim(uri)).toEqual({ holder: services('bob'), claimedAt: 5_000 });
      await expect(store.claimXcapServiceUri('', services('bob'), 1)).rejects.toBeInstanceOf(RangeError);
      await expect(store.claimXcapServiceUri(uri, { ...services('bob'), owner: '' }, 1)).rejects.toThrow(/owner/);
      await expect(store.xcapServiceClaim('x'.repeat(5000))).rejects.toBeInstanceOf(RangeError);
      // URIs holding braces and newlines are keys like any other.
      const odd = `sip:{odd}\n${context.tag()}@example.com`;
      expect(await store.claimXcapServiceUri(odd, services('alice'), 7)).toEqual({ ok: true });
      expect(await store.xcapServiceClaim(odd)).toEqual({ holder: services('alice'), claimedAt: 7 });
    });

    it('xcap service uris - concurrent claims of one URI by five documents: exactly one holds it', async () => {
      const store = context.store();
      const uri = `sip:race-${context.tag()}@example.com`;
      const holders = [1, 2, 3, 4, 5].map((n): XcapDocumentRef => ({ auid: 'rls-services', scope: 'users', owner: owner(`u${n}`), filename: 'index' }));
      const outcomes = await Promise.all(holders.map((holder, n) => store.claimXcapServiceUri(uri, holder, n)));
      expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
      const winner = outcomes.findIndex((outcome) => outcome.ok);
      expect((await store.xcapServiceClaim(uri))?.holder).toEqual(holders[winner]);
    });

    it('xcap documents - concurrent conditional puts on one version: exactly one wins', async () => {
      const store = context.store();
      const first = await store.putXcapDocument(rules('alice'), body(0));
      if (!first.ok) throw new Error('put failed');
      const outcomes = await Promise.all([1, 2, 3, 4, 5].map((n) => store.putXcapDocument(rules('alice'), body(n), { ifMatch: first.etag })));
      const winners = outcomes.filter((outcome) => outcome.ok);
      expect(winners).toHaveLength(1);
      const winner = outcomes.findIndex((outcome) => outcome.ok);
      expect((await store.xcapDocument(rules('alice')))?.body).toBe(body(winner + 1));
    });

    it('xcap documents - random conditional puts and deletes agree with xcapConditionsHold, step by step (property)', async () => {
      const store = context.store();
      const tag = fc.constantFrom('none', '*', 'current', 'stale');
      const step = fc.record({ op: fc.constantFrom('put', 'delete'), ifMatch: tag, ifNoneMatch: tag });
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
          const ref = rules('prop', `run-${run++}`);
          let current: string | undefined;
          for (const [n, { op, ifMatch, ifNoneMatch }] of steps.entries()) {
            const pick = (choice: string): string | undefined => (choice === 'none' ? undefined : choice === 'current' ? (current ?? 'never-issued') : choice === 'stale' ? 'stale-tag' : '*');
            const conditions: XcapConditions = { ...(pick(ifMatch) === undefined ? {} : { ifMatch: pick(ifMatch) }), ...(pick(ifNoneMatch) === undefined ? {} : { ifNoneMatch: pick(ifNoneMatch) }) };
            const holds = xcapConditionsHold(current, conditions);
            if (op === 'put') {
              const outcome = await store.putXcapDocument(ref, body(n), conditions);
              expect(outcome.ok).toBe(holds);
              if (outcome.ok) {
                expect(outcome.created).toBe(current === undefined);
                current = outcome.etag;
              }
            } else {
              const outcome = await store.deleteXcapDocument(ref, conditions);
              expect(outcome).toEqual(holds ? (current === undefined ? { ok: false, reason: 'not-found' } : { ok: true }) : { ok: false, reason: 'precondition-failed' });
              if (outcome.ok) current = undefined;
            }
            expect((await store.xcapDocument(ref))?.etag).toBe(current);
          }
        }),
        { numRuns: 20 },
      );
    });
  });
}
