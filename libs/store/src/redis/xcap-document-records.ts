import { type XcapClaimOutcome, type XcapServiceClaim, type XcapConditions, type XcapDeleteOutcome, type XcapDocument, type XcapDocumentRef, type XcapDocumentStore, type XcapWriteOutcome, compareXcapRefs } from '@presence/core';
import { assertListLimit } from '../user-record-check.js';
import { assertServiceUri, assertXcapConditions, assertXcapOwner, assertXcapRef, decodeXcapClaim, encodeXcapClaim, newXcapEtag, xcapField, xcapHolderText, xcapRefOf } from '../xcap-document-check.js';
import { CorruptRecordError } from './corrupt-record-error.js';
import type { RedisCalls } from './redis-calls.js';
import type { RedisClient } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisScripts } from './redis-scripts.js';

/**
 * XCAP documents in one hash per owner, `xcap:{<aor>}` (or `xcap:{global}`),
 * field `<auid>/<filename>`, value `<entity tag>\n<document>`: a read is one
 * HGET, a change one Lua script comparing the tag (xcap-change.lua), all on the owner's slot. No TTL: documents are durable.
 * Service URI claims (RFC 4826 §4.4.5) are keys of their own, `xcapsvc:{<uri>}`, set by xcap-claim.lua.
 * Entity tags never hold a newline (newXcapEtag is base64url).
 */
export class XcapDocumentRecords implements XcapDocumentStore {
  constructor(
    private readonly calls: RedisCalls,
    private readonly client: RedisClient,
    private readonly keys: RedisKeys,
    private readonly scripts: RedisScripts,
  ) {}

  async xcapDocument(ref: XcapDocumentRef): Promise<XcapDocument | undefined> {
    this.calls.assertOpen();
    assertXcapRef(ref);
    const key = this.keys.xcapDocuments(ref.scope, ref.owner);
    const stored = await this.calls.run('xcapDocument', () => this.client.hget(key, xcapField(ref)));
    if (stored === null) return undefined;
    const newline = stored.indexOf('\n');
    if (newline < 1) throw new CorruptRecordError(key, `field ${xcapField(ref)} has no entity tag`);
    return { etag: stored.slice(0, newline), body: stored.slice(newline + 1) };
  }

  async putXcapDocument(ref: XcapDocumentRef, body: string, conditions: XcapConditions = {}): Promise<XcapWriteOutcome> {
    this.calls.assertOpen();
    assertXcapRef(ref);
    assertXcapConditions(conditions);
    const etag = newXcapEtag();
    const keys = [this.keys.xcapDocuments(ref.scope, ref.owner)];
    const args = [xcapField(ref), conditions.ifMatch ?? '', conditions.ifNoneMatch ?? '', `${etag}\n${body}`];
    const reply = await this.calls.run('putXcapDocument', () => this.scripts['xcap-change'](keys, args));
    if (reply === 0) return { ok: false, reason: 'precondition-failed' };
    return { ok: true, etag, created: reply === 1 };
  }

  async deleteXcapDocument(ref: XcapDocumentRef, conditions: XcapConditions = {}): Promise<XcapDeleteOutcome> {
    this.calls.assertOpen();
    assertXcapRef(ref);
    assertXcapConditions(conditions);
    const keys = [this.keys.xcapDocuments(ref.scope, ref.owner)];
    const args = [xcapField(ref), conditions.ifMatch ?? '', conditions.ifNoneMatch ?? '', ''];
    const reply = await this.calls.run('deleteXcapDocument', () => this.scripts['xcap-change'](keys, args));
    if (reply === 1) return { ok: true };
    return { ok: false, reason: reply === -1 ? 'not-found' : 'precondition-failed' };
  }

  /** HKEYS: one owner holds few documents (the XCAP server bounds them), so one call reads them all. */
  async listXcapDocuments(scope: XcapDocumentRef['scope'], owner: string, limit: number): Promise<XcapDocumentRef[]> {
    this.calls.assertOpen();
    assertXcapOwner(scope, owner);
    assertListLimit(limit, 'listXcapDocuments');
    if (limit === 0) return [];
    const fields = await this.calls.run('listXcapDocuments', () => this.client.hkeys(this.keys.xcapDocuments(scope, owner)));
    return fields.map((field) => xcapRefOf(scope, owner, field)).sort(compareXcapRefs).slice(0, limit);
  }

  async claimXcapServiceUri(uri: string, holder: XcapDocumentRef, claimedAt: number, replacing?: XcapServiceClaim): Promise<XcapClaimOutcome> {
    this.calls.assertOpen();
    assertServiceUri(uri);
    assertXcapRef(holder);
    if (replacing !== undefined) assertXcapRef(replacing.holder);
    const key = this.keys.xcapServiceClaim(uri);
    const args = ['claim', xcapHolderText(holder), encodeXcapClaim({ holder, claimedAt }), replacing === undefined ? '' : encodeXcapClaim(replacing)];
    const reply = await this.calls.run('claimXcapServiceUri', () => this.scripts['xcap-claim']([key], args));
    if (reply === 1) return { ok: true };
    return { ok: false, claim: this.decodeClaim(key, String(reply)) };
  }

  async xcapServiceClaim(uri: string): Promise<XcapServiceClaim | undefined> {
    this.calls.assertOpen();
    assertServiceUri(uri);
    const key = this.keys.xcapServiceClaim(uri);
    const held = await this.calls.run('xcapServiceClaim', () => this.client.get(key));
    return held === null ? undefined : this.decodeClaim(key, held);
  }

  async releaseXcapServiceUri(uri: string, holder: XcapDocumentRef): Promise<boolean> {
    this.calls.assertOpen();
    assertServiceUri(uri);
    assertXcapRef(holder);
    const reply = await this.calls.run('releaseXcapServiceUri', () => this.scripts['xcap-claim']([this.keys.xcapServiceClaim(uri)], ['release', xcapHolderText(holder), '', '']));
    return reply === 1;
  }

  private decodeClaim(key: string, text: string): XcapServiceClaim {
    const claim = decodeXcapClaim(text);
    if (claim === undefined) throw new CorruptRecordError(key, 'not <claimedAt>\\n<holder>');
    return claim;
  }
}
