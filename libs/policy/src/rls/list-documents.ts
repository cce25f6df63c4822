import { normalizeAor } from '@presence/core';
import { childElements, getAttribute, type PidfLimits, type XmlElement } from '@presence/pidf';
import { RESOURCE_LISTS_NS, RLS_SERVICES_NS } from '../namespaces.js';
import { PolicyError } from '../policy-error.js';
import { parsePolicyXml, trimmedText } from '../rules/xml-input.js';

/** Where a service's members come from (RFC 4826 §4.1): a list written in the service, or a list of a resource-lists document. */
export type ServiceList = { readonly kind: 'inline'; readonly element: XmlElement } | { readonly kind: 'reference'; readonly uri: string };

/** One `<service>` of an rls-services document. */
export interface ServiceDefinition {
  readonly uri: string;
  readonly list: ServiceList;
  /** The event packages it serves (`<packages>`); undefined when the service names none (every package). */
  readonly packages: readonly string[] | undefined;
}

/** Limits on list documents: a list of the member limit's size (1,000 entries with names) fits with room. */
export const defaultListDocumentLimits: PidfLimits = Object.freeze({ maxBytes: 1024 * 1024, maxDepth: 16, maxElements: 20_000, maxAttributes: 32 });

/**
 * The service of an rls-services document (RFC 4826 §4) whose URI is
 * `serviceUri`, compared as AORs (the claim key of the XCAP server names
 * it); undefined when the document does not define it.
 * @throws PolicyError when the document cannot be read.
 */
export function findService(xml: string, serviceUri: string, limits: PidfLimits = defaultListDocumentLimits): ServiceDefinition | undefined {
  const root = parsePolicyXml(xml, limits, 'rls-services', RLS_SERVICES_NS, 'rls-services');
  const wanted = sameAor(serviceUri);
  for (const service of childElements(root, RLS_SERVICES_NS, 'service')) {
    const uri = getAttribute(service, 'uri')?.trim();
    if (uri === undefined || sameAor(uri) !== wanted) continue;
    return { uri, list: serviceList(service, uri), packages: packagesOf(service) };
  }
  return undefined;
}

/** The root of a resource-lists document (RFC 4826 §3), read with the same hardened reader. */
export function parseResourceListsDocument(xml: string, label = 'resource-lists', limits: PidfLimits = defaultListDocumentLimits): XmlElement {
  return parsePolicyXml(xml, limits, label, RESOURCE_LISTS_NS, 'resource-lists');
}

/**
 * The single list of an RFC 5367 SUBSCRIBE body: a resource-lists document
 * whose lists together are the ad-hoc list, as one synthetic `<list>`.
 */
export function bodyList(xml: string, limits: PidfLimits = defaultListDocumentLimits): XmlElement {
  const root = parseResourceListsDocument(xml, 'recipient list', limits);
  const lists = childElements(root, RESOURCE_LISTS_NS, 'list');
  if (lists.length === 0) throw new PolicyError('invalid', 'Invalid recipient list: no <list>');
  return { ns: RESOURCE_LISTS_NS, name: 'list', attributes: [], children: lists };
}

function serviceList(service: XmlElement, uri: string): ServiceList {
  const inline = childElements(service, RLS_SERVICES_NS, 'list')[0] ?? childElements(service, RESOURCE_LISTS_NS, 'list')[0];
  if (inline !== undefined) return { kind: 'inline', element: inline };
  const reference = childElements(service, RLS_SERVICES_NS, 'resource-list')[0];
  const target = reference === undefined ? '' : trimmedText(reference);
  if (target === '') throw new PolicyError('invalid', `Invalid rls-services: service ${uri} has neither <list> nor <resource-list>`);
  return { kind: 'reference', uri: target };
}

function packagesOf(service: XmlElement): string[] | undefined {
  const packages = childElements(service, RLS_SERVICES_NS, 'packages')[0];
  if (packages === undefined) return undefined;
  return childElements(packages, RLS_SERVICES_NS, 'package').map((p) => trimmedText(p).toLowerCase());
}

function sameAor(uri: string): string {
  try {
    return normalizeAor(uri);
  } catch {
    return uri;
  }
}
