import { type PidfLimits, type XmlElement, childElements, getAttribute } from '@presence/pidf';
import type { XcapDocumentRef, XcapScope } from '@presence/core';
import { RESOURCE_LISTS_NS } from '../namespaces.js';
import { PolicyError } from '../policy-error.js';
import { parsePolicyXml } from '../rules/xml-input.js';

/**
 * An XCAP resource an xcap-diff subscription watches (RFC 5875 §4): one
 * document, or a directory (`filename` undefined: every document of that
 * owner, or of the global tree, under the auid).
 */
export interface XcapResource {
  readonly auid: string;
  readonly scope: XcapScope;
  /** The user's AOR for scope users, '' for global. */
  readonly owner: string;
  readonly filename?: string;
}

/** Most resources one subscription may name: each costs a store read per full state. */
export const MAX_XCAP_DIFF_RESOURCES = 100;

export const defaultXcapDiffLimits: PidfLimits = Object.freeze({ maxBytes: 64 * 1024, maxDepth: 8, maxElements: 2 * MAX_XCAP_DIFF_RESOURCES + 16, maxAttributes: 8 });

const LABEL = 'xcap-diff subscription';
const XCAP_ROOT_SEGMENT = '/xcap-root/';
const AUID = /^[A-Za-z0-9._-]+$/;

/**
 * The body of an xcap-diff SUBSCRIBE (RFC 5875 §4): a resource-lists
 * document whose `<entry uri>`s name documents or directories, relative to
 * the XCAP root (`auid/users/<AOR>/index`, `auid/users/<AOR>/`,
 * `auid/global/index`) or absolute under `/xcap-root/`. Nested lists are
 * read through; anything but entries is ignored.
 * @throws PolicyError naming the problem.
 */
export function parseXcapDiffResources(xml: string, limits: PidfLimits = defaultXcapDiffLimits): XcapResource[] {
  const root = parsePolicyXml(xml, limits, LABEL, RESOURCE_LISTS_NS, 'resource-lists');
  const uris: string[] = [];
  const walk = (list: XmlElement): void => {
    for (const entry of childElements(list, RESOURCE_LISTS_NS, 'entry')) {
      const uri = getAttribute(entry, 'uri');
      if (uri === undefined || uri === '') throw invalid('<entry> without uri');
      uris.push(uri);
    }
    for (const inner of childElements(list, RESOURCE_LISTS_NS, 'list')) walk(inner);
  };
  for (const list of childElements(root, RESOURCE_LISTS_NS, 'list')) walk(list);
  if (uris.length === 0) throw invalid('no <entry> names an XCAP resource');
  if (uris.length > MAX_XCAP_DIFF_RESOURCES) throw new PolicyError('too-large', `Invalid ${LABEL}: more than ${MAX_XCAP_DIFF_RESOURCES} resources`);
  return uris.map(xcapResourceOf);
}

/** An XCAP URI relative to the root, or absolute with `/xcap-root/` in its path, as a resource. */
export function xcapResourceOf(uri: string): XcapResource {
  const at = uri.indexOf(XCAP_ROOT_SEGMENT);
  const path = at >= 0 ? uri.slice(at + XCAP_ROOT_SEGMENT.length) : uri.replace(/^\/+/, '');
  const [auid = '', scope = '', ...rest] = path.split('/');
  if (!AUID.test(auid)) throw invalid(`${JSON.stringify(uri.slice(0, 80))} names no application usage`);
  if (scope === 'global') return withFile({ auid, scope, owner: '' }, rest.join('/'), uri);
  if (scope !== 'users' || rest.length < 2) throw invalid(`${JSON.stringify(uri.slice(0, 80))} is not under users/<AOR>/ or global/`);
  let owner: string;
  try {
    owner = decodeURIComponent(rest[0]!);
  } catch {
    throw invalid(`${JSON.stringify(uri.slice(0, 80))} has a malformed escape`);
  }
  if (owner === '') throw invalid(`${JSON.stringify(uri.slice(0, 80))} names no user`);
  return withFile({ auid, scope, owner }, rest.slice(1).join('/'), uri);
}

function withFile(resource: XcapResource, filename: string, uri: string): XcapResource {
  if (filename === '') return resource;
  if (filename.split('/').some((step) => step === '' || step === '.' || step === '..')) throw invalid(`${JSON.stringify(uri.slice(0, 80))} has an empty or relative step`);
  return { ...resource, filename };
}

/** Whether a document is the resource or lies in its directory. */
export function resourceCovers(resource: XcapResource, ref: XcapDocumentRef): boolean {
  if (resource.auid !== ref.auid || resource.scope !== ref.scope || resource.owner !== ref.owner) return false;
  return resource.filename === undefined || resource.filename === ref.filename;
}

/** The document selector of RFC 5874 §4 `sel`: the path below the XCAP root. */
export function documentSelector(ref: Pick<XcapDocumentRef, 'auid' | 'scope' | 'owner' | 'filename'>): string {
  return ref.scope === 'global' ? `${ref.auid}/global/${ref.filename}` : `${ref.auid}/users/${ref.owner}/${ref.filename}`;
}

function invalid(problem: string): PolicyError {
  return new PolicyError('invalid', `Invalid ${LABEL}: ${problem}`);
}
