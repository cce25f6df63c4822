import { childElements, getAttribute, type XmlElement } from '@presence/pidf';
import { COMMON_POLICY_NS, RESOURCE_LISTS_NS, RLS_SERVICES_NS } from './application-usages.js';
import { XcapFailure } from './xcap-failure.js';

/**
 * The uniqueness constraints a schema cannot say, per usage (RFC 4825
 * §8.2.5 step "constraints", reported as 409 <uniqueness-failure> with the
 * field at fault, RFC 4825 §11.2):
 * - resource-lists (RFC 4826 §3.4.5): within a list, the name of each
 *   sub-list, the uri of each entry, the ref of each entry-ref and the
 *   anchor of each external are unique; top-level list names too;
 * - rls-services (RFC 4826 §4.4.5): each service uri once in the document;
 * - pres-rules (RFC 4745 §7): rule ids unique.
 */
export function checkUsageConstraints(auid: string, root: XmlElement): void {
  if (auid === 'resource-lists') checkResourceLists(root, 'resource-lists');
  else if (auid === 'rls-services') checkRlsServices(root);
  else if (auid === 'pres-rules') checkUnique(childElements(root, COMMON_POLICY_NS, 'rule'), 'id', 'ruleset/rule/@id');
}

function checkResourceLists(parent: XmlElement, path: string): void {
  const lists = childElements(parent, RESOURCE_LISTS_NS, 'list');
  checkUnique(lists, 'name', `${path}/list/@name`);
  checkUnique(childElements(parent, RESOURCE_LISTS_NS, 'entry'), 'uri', `${path}/entry/@uri`);
  checkUnique(childElements(parent, RESOURCE_LISTS_NS, 'entry-ref'), 'ref', `${path}/entry-ref/@ref`);
  checkUnique(childElements(parent, RESOURCE_LISTS_NS, 'external'), 'anchor', `${path}/external/@anchor`);
  for (const list of lists) checkResourceLists(list, `${path}/list`);
}

function checkRlsServices(root: XmlElement): void {
  const services = childElements(root, RLS_SERVICES_NS, 'service');
  checkUnique(services, 'uri', 'rls-services/service/@uri');
  for (const service of services) for (const list of childElements(service, RLS_SERVICES_NS, 'list')) checkResourceLists(list, 'rls-services/service/list');
}

function checkUnique(elements: readonly XmlElement[], attribute: string, field: string): void {
  const seen = new Set<string>();
  for (const element of elements) {
    const value = getAttribute(element, attribute);
    if (value === undefined) continue;
    if (seen.has(value)) {
      throw new XcapFailure(409, `Conflict: ${field} "${value}" is not unique`, {
        kind: 'uniqueness-failure',
        phrase: `${field} "${value}" appears twice`,
        exists: [{ field, altValues: [alternative(value, seen)] }],
      });
    }
    seen.add(value);
  }
}

/** A value not taken, offered as <alt-value> (RFC 4825 §11.2): the value with the first free numeric suffix. */
function alternative(value: string, taken: ReadonlySet<string>): string {
  for (let n = 2; ; n += 1) if (!taken.has(`${value}-${n}`) && `${value}-${n}` !== value) return `${value}-${n}`;
}
