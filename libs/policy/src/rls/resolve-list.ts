import { normalizeAor, type XcapDocumentRef } from '@presence/core';
import { childElements, getAttribute, isElement, type XmlElement } from '@presence/pidf';
import { RESOURCE_LISTS_NS, RLS_SERVICES_NS } from '../namespaces.js';
import { PolicyError } from '../policy-error.js';
import { trimmedText } from '../rules/xml-input.js';
import { parseResourceListsDocument, type ServiceList } from './list-documents.js';
import { parseListReference, referenceKey, type ListReference, type SelectorStep } from './list-reference.js';

/** One resource of a flattened list (RFC 4662 §5: its URI and, if the list gives one, its name). */
export interface ListMember {
  readonly uri: string;
  readonly name?: string;
}

/** A reference the resolution did not follow, and why (loop, another user's document, nothing selected). */
export interface SkippedReference {
  readonly reference: string;
  readonly reason: string;
}

export interface ListResolution {
  readonly members: readonly ListMember[];
  readonly skipped: readonly SkippedReference[];
}

/** Reads a stored XCAP document (the only I/O of a resolution, injected). */
export type ListDocuments = (ref: XcapDocumentRef) => Promise<string | undefined>;

export interface ResolveOptions {
  /** More distinct members than this: ListTooLargeError (the RLS answers 403). */
  readonly maxMembers: number;
  /** The user whose tree references may read (the list's owner); others' documents are never read for it. */
  readonly owner: string;
  /** References followed at most (each may read a document); past it the rest are skipped. */
  readonly maxReferences?: number;
}

export const DEFAULT_MAX_LIST_MEMBERS = 1000;
const DEFAULT_MAX_REFERENCES = 64;

/** A list with more members than the RLS serves (RFC 4662 leaves the limit to policy; the edge answers 403 naming it). */
export class ListTooLargeError extends PolicyError {
  constructor(readonly maxMembers: number) {
    super('too-large', `Resource list has more than ${maxMembers} members`);
    this.name = 'ListTooLargeError';
  }
}

/**
 * Flattens a service's list (RFC 4826 §3, §4.1): entries in document
 * order, nested lists, `<entry-ref>` and `<external>` references and a
 * `<resource-list>` followed into the owner's resource-lists documents.
 * A member listed twice counts once (compared as AORs), with its first
 * name. A reference that would revisit one being followed is a loop and is
 * skipped, as are references to other users' documents or to nothing.
 * @throws ListTooLargeError past `maxMembers`; PolicyError for a malformed list.
 */
export async function resolveList(list: ServiceList, documents: ListDocuments, options: ResolveOptions): Promise<ListResolution> {
  return new ListWalk(documents, options).resolve(list);
}

class ListWalk {
  private readonly members = new Map<string, ListMember>();
  private readonly skipped: SkippedReference[] = [];
  private readonly following = new Set<string>();
  /** Each document read once per resolution (parsed), whatever number of references name it. */
  private readonly parsed = new Map<string, Promise<XmlElement | undefined>>();
  private followed = 0;

  constructor(
    private readonly documents: ListDocuments,
    private readonly options: ResolveOptions,
  ) {}

  async resolve(list: ServiceList): Promise<ListResolution> {
    if (list.kind === 'inline') await this.walk(list.element);
    else await this.follow(list.uri, 'list');
    return { members: [...this.members.values()], skipped: this.skipped };
  }

  private async walk(list: XmlElement): Promise<void> {
    for (const child of list.children) {
      if (!isElement(child) || (child.ns !== RESOURCE_LISTS_NS && child.ns !== RLS_SERVICES_NS)) continue;
      if (child.name === 'entry') this.add(child);
      else if (child.name === 'list') await this.walk(child);
      else if (child.name === 'entry-ref') await this.follow(getAttribute(child, 'ref') ?? '', 'entry');
      else if (child.name === 'external') await this.follow(getAttribute(child, 'anchor') ?? '', 'list');
    }
  }

  private add(entry: XmlElement): void {
    const uri = getAttribute(entry, 'uri')?.trim();
    if (uri === undefined || uri === '') throw new PolicyError('invalid', 'Invalid resource list: <entry> without uri');
    const key = memberKey(uri);
    if (this.members.has(key)) return;
    if (this.members.size >= this.options.maxMembers) throw new ListTooLargeError(this.options.maxMembers);
    const display = childElements(entry, RESOURCE_LISTS_NS, 'display-name')[0];
    const name = display === undefined ? '' : trimmedText(display);
    this.members.set(key, name === '' ? { uri } : { uri, name });
  }

  private async follow(uri: string, expected: 'entry' | 'list'): Promise<void> {
    if (++this.followed > (this.options.maxReferences ?? DEFAULT_MAX_REFERENCES)) return this.skip(uri, 'too many references');
    let reference: ListReference;
    try {
      reference = parseListReference(uri);
    } catch (error) {
      return this.skip(uri, (error as PolicyError).reason);
    }
    const { document } = reference;
    if (document.scope === 'users' && document.owner !== this.options.owner) return this.skip(uri, "another user's document");
    const key = referenceKey(reference);
    if (this.following.has(key)) return this.skip(uri, 'loop');
    const root = await this.read(document);
    const element = root && select(root, reference.steps);
    if (element === undefined) return this.skip(uri, 'selects nothing');
    if (element.name !== expected) return this.skip(uri, `selects a <${element.name}>, not an <${expected}>`);
    this.following.add(key);
    try {
      if (expected === 'entry') this.add(element);
      else await this.walk(element);
    } finally {
      this.following.delete(key);
    }
  }

  private read(document: XcapDocumentRef): Promise<XmlElement | undefined> {
    const key = `${document.scope}\u0000${document.owner}\u0000${document.filename}`;
    let root = this.parsed.get(key);
    if (root === undefined) {
      root = this.documents(document).then((xml) => {
        if (xml === undefined) return undefined;
        try {
          return parseResourceListsDocument(xml);
        } catch {
          // A stored document the server validated on write; one that no longer parses lists nobody.
          return undefined;
        }
      });
      this.parsed.set(key, root);
    }
    return root;
  }

  private skip(reference: string, reason: string): void {
    if (this.skipped.length < MAX_SKIPPED_KEPT) this.skipped.push({ reference: reference.slice(0, 200), reason });
  }
}

const MAX_SKIPPED_KEPT = 32;

/** The element a node selector designates below the document's root, if exactly one. */
export function select(root: XmlElement, steps: readonly SelectorStep[]): XmlElement | undefined {
  let current = root;
  for (const step of steps) {
    const named = childElements(current).filter((child) => child.name === step.name && (child.ns === RESOURCE_LISTS_NS || child.ns === RLS_SERVICES_NS));
    let chosen: XmlElement[];
    if (step.position !== undefined) chosen = named.slice(step.position - 1, step.position);
    else if (step.attribute !== undefined) chosen = named.filter((child) => getAttribute(child, step.attribute!.name) === step.attribute!.value);
    else chosen = named;
    if (chosen.length !== 1) return undefined;
    current = chosen[0]!;
  }
  return current;
}

/** Members compare as AORs (RFC 3261 §19.1.4 without parameters); a URI that is not SIP as written. */
export function memberKey(uri: string): string {
  try {
    return normalizeAor(uri);
  } catch {
    return uri;
  }
}
