import type { Bus } from '@presence/bus';
import { encodeMessage, type Subjects, type XcapChangeEvent } from '@presence/contracts';
import { xcapConditionsHold, type Clock, type XcapConditions, type XcapDocument, type XcapDocumentStore } from '@presence/core';
import type { Logger } from '@presence/runtime';
import { deleteNode, putAttribute, putElement, renderSelected, selectNode } from '../domain/node-edit.js';
import { decodeReferences, parseNodeSelector } from '../domain/node-selector.js';
import { resolveSelector, type ResolvedSelector } from '../domain/node-select.js';
import { renderXcapCaps } from '../domain/xcap-caps.js';
import { conflict, XcapFailure } from '../domain/xcap-failure.js';
import type { XcapUri } from '../domain/xcap-uri.js';
import { parseElement, serializeDocument, type XElement } from '../domain/xml-tree.js';
import { checkDocument, decodeUtf8, type DocumentValidator } from './document-checks.js';

export const XCAP_EL_MIME = 'application/xcap-el+xml';
export const XCAP_ATT_MIME = 'application/xcap-att+xml';
export const XCAP_NS_MIME = 'application/xcap-ns+xml';

export interface XcapReply {
  readonly status: number;
  readonly etag?: string;
  readonly contentType?: string;
  readonly body?: string;
}

export interface XcapDocumentsDeps {
  readonly store: XcapDocumentStore;
  readonly bus: Bus;
  readonly subjects: Subjects;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Schema and constraints of each usage; absent: well-formedness and the document element only. */
  readonly validator?: DocumentValidator;
}

/** A change raced another writer's this many times in a row: 409, the client retries. */
const MAX_CHANGE_ATTEMPTS = 4;

/** What a change computes from the current document: the new body (undefined: delete it) and whether it created the node. */
type Change = (current: XcapDocument | undefined) => { readonly body: string | undefined; readonly created: boolean };

/**
 * The XCAP operations (RFC 4825 §7-8) on whole documents and the nodes in
 * them, over the durable document store. Every change is a compare-and-set
 * on the entity tag read, so a concurrent writer is never overwritten: a
 * lost race re-reads and re-applies (the client's conditions checked again
 * each time). Each committed change is announced on the bus.
 */
export class XcapDocuments {
  constructor(private readonly deps: XcapDocumentsDeps) {}

  async get(uri: XcapUri, conditions: XcapConditions): Promise<XcapReply> {
    const current = await this.read(uri);
    if (current === undefined) throw new XcapFailure(404, 'Not Found: no such document');
    // RFC 9110 §13.2.2: If-Match first (412), then If-None-Match (304 for a GET).
    if (conditions.ifMatch !== undefined && !xcapConditionsHold(current.etag, { ifMatch: conditions.ifMatch })) throw preconditionFailed();
    if (conditions.ifNoneMatch !== undefined && !xcapConditionsHold(current.etag, { ifNoneMatch: conditions.ifNoneMatch })) return { status: 304, etag: current.etag };
    if (uri.nodeSelector === undefined) return { status: 200, etag: current.etag, contentType: uri.usage.mimeType, body: current.body };
    const node = selectNode(parseStored(current.body), this.selector(uri));
    const contentType = node.kind === 'element' ? XCAP_EL_MIME : node.kind === 'attribute' ? XCAP_ATT_MIME : XCAP_NS_MIME;
    return { status: 200, etag: current.etag, contentType, body: renderSelected(node) };
  }

  async put(uri: XcapUri, contentType: string | undefined, body: Uint8Array, conditions: XcapConditions): Promise<XcapReply> {
    this.refuseGenerated(uri);
    const media = mediaType(contentType);
    if (uri.nodeSelector === undefined) {
      expectMedia(media, uri.usage.mimeType);
      const document = decodeUtf8(body);
      checkDocument(uri.usage, document, this.deps.validator);
      return this.change(uri, conditions, (current) => ({ body: document, created: current === undefined }));
    }
    const selector = this.selector(uri);
    const written = parseNodeSelector(uri.nodeSelector);
    if (selector.terminal?.kind === 'namespaces') throw new XcapFailure(405, 'Method Not Allowed: namespace bindings are read only', undefined, { Allow: 'GET' });
    if (selector.terminal?.kind === 'attribute') {
      expectMedia(media, XCAP_ATT_MIME);
      const value = attributeBody(decodeUtf8(body));
      return this.changeTree(uri, conditions, (root) => ({ root, created: putAttribute(root, selector, written, value) }));
    }
    expectMedia(media, XCAP_EL_MIME);
    const text = decodeUtf8(body);
    return this.changeTree(uri, conditions, (root) => putElement(root, selector, written, (scope) => parseFragment(text, scope)));
  }

  async delete(uri: XcapUri, conditions: XcapConditions): Promise<XcapReply> {
    this.refuseGenerated(uri);
    if (uri.nodeSelector === undefined) return this.change(uri, conditions, () => ({ body: undefined, created: false }));
    const selector = this.selector(uri);
    return this.changeTree(uri, conditions, (root) => {
      deleteNode(root, selector);
      return { root, created: false };
    });
  }

  /** A change of a node: parse the stored document, edit it, check the result as a whole document. */
  private changeTree(uri: XcapUri, conditions: XcapConditions, edit: (root: XElement) => { root: XElement; created: boolean }): Promise<XcapReply> {
    return this.change(uri, conditions, (current) => {
      if (current === undefined) throw new XcapFailure(404, 'Not Found: no such document (a node is created inside an existing document)');
      const edited = edit(parseStored(current.body));
      const document = serializeDocument(edited.root);
      checkDocument(uri.usage, document, this.deps.validator);
      return { body: document, created: edited.created };
    });
  }

  private async change(uri: XcapUri, conditions: XcapConditions, compute: Change): Promise<XcapReply> {
    for (let attempt = 1; attempt <= MAX_CHANGE_ATTEMPTS; attempt += 1) {
      const current = await this.read(uri);
      if (!xcapConditionsHold(current?.etag, conditions)) throw preconditionFailed();
      const next = compute(current);
      const guard: XcapConditions = current === undefined ? { ifNoneMatch: '*' } : { ifMatch: current.etag };
      if (next.body === undefined) {
        if (current === undefined) throw new XcapFailure(404, 'Not Found: no such document');
        const outcome = await this.deps.store.deleteXcapDocument(uri.ref, guard);
        if (!outcome.ok) continue;
        this.announce(uri, current.etag, undefined);
        return { status: 200 };
      }
      const outcome = await this.deps.store.putXcapDocument(uri.ref, next.body, guard);
      if (!outcome.ok) continue;
      this.announce(uri, current?.etag, outcome.etag);
      return { status: next.created ? 201 : 200, etag: outcome.etag };
    }
    throw new XcapFailure(409, 'Conflict: the document kept changing under this request; retry it');
  }

  private read(uri: XcapUri): Promise<XcapDocument | undefined> {
    if (uri.usage.auid === 'xcap-caps') {
      if (uri.ref.scope !== 'global' || uri.ref.filename !== 'index') return Promise.resolve(undefined);
      return Promise.resolve({ body: renderXcapCaps(), etag: XCAP_CAPS_ETAG });
    }
    return this.deps.store.xcapDocument(uri.ref);
  }

  private refuseGenerated(uri: XcapUri): void {
    if (!uri.usage.userDocuments) throw new XcapFailure(403, `Forbidden: ${uri.usage.auid} documents are generated by the server and read only`);
  }

  private selector(uri: XcapUri): ResolvedSelector {
    return resolveSelector(parseNodeSelector(uri.nodeSelector ?? ''), uri.namespaces, uri.usage.defaultNs);
  }

  /** RFC 4825 §8.2.5 and the issue: every committed change, one event, so agents and edges re-read (best effort; the store holds the truth). */
  private announce(uri: XcapUri, previousEtag: string | undefined, etag: string | undefined): void {
    const event: XcapChangeEvent = {
      v: 1,
      type: 'xcap-change',
      ...uri.ref,
      ...(previousEtag === undefined ? {} : { previousEtag }),
      ...(etag === undefined ? {} : { etag }),
      changedAt: this.deps.clock.now(),
    };
    try {
      this.deps.bus.publish(this.deps.subjects.xcapChange(uri.ref.auid), encodeMessage(event));
    } catch (error) {
      this.deps.logger.warn({ err: error, auid: uri.ref.auid, filename: uri.ref.filename }, 'xcap change not announced on the bus');
    }
  }
}

/** The generated xcap-caps document changes only with the code; its tag names the capability set. */
const XCAP_CAPS_ETAG = `caps-${Buffer.from(renderXcapCaps()).length.toString(16)}`;

function parseStored(body: string): XElement {
  try {
    return parseElement(body);
  } catch (error) {
    throw new Error(`stored XCAP document is unreadable: ${(error as Error).message}`, { cause: error });
  }
}

/** RFC 4825 §8.2.3: a body that is not one well-balanced element is 409 <not-xml-frag>. */
function parseFragment(text: string, scope: ReadonlyMap<string, string>): XElement {
  try {
    return parseElement(text, scope);
  } catch (error) {
    throw conflict('not-xml-frag', `the body is not one XML element: ${(error as Error).message}`);
  }
}

/** RFC 4825 §8.2.4: the body is an attribute value as written between quotes (references decoded); else 409 <not-xml-att-value>. */
function attributeBody(text: string): string {
  if (text.includes('"')) throw conflict('not-xml-att-value', 'a raw " in the attribute value');
  try {
    return decodeReferences(text);
  } catch (error) {
    throw conflict('not-xml-att-value', (error as XcapFailure).reason.replace(/^Bad Request: node selector: /, ''));
  }
}

function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase();
}

/** RFC 4825 §8.2.1: the body's MIME type must be the one of what the URI selects, else 415. */
function expectMedia(media: string | undefined, expected: string): void {
  if (media !== expected) throw new XcapFailure(415, `Unsupported Media Type: expected Content-Type ${expected}, got ${media ?? 'none'}`);
}

function preconditionFailed(): XcapFailure {
  return new XcapFailure(412, 'Precondition Failed: the entity tag does not match');
}
