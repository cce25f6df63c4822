import { PIDF_NS } from '@presence/pidf';

/**
 * The application usages served (RFC 4825 §5): what each document is, by
 * its auid. `schema` names the .xsd file in the package's schemas/ folder;
 * `readOnlyGlobal` usages have only a generated global document.
 */
export interface ApplicationUsage {
  readonly auid: string;
  /** The MIME type of its documents (RFC 4825 §5.3). */
  readonly mimeType: string;
  /** Namespace and local name of the document element. */
  readonly rootNs: string;
  readonly rootName: string;
  /** Default document namespace for unprefixed node-selector steps (RFC 4825 §5.4 / §6.3). */
  readonly defaultNs: string;
  readonly schema: string;
  /** Whether users keep documents of their own; xcap-caps has only the server's global one. */
  readonly userDocuments: boolean;
}

export const RESOURCE_LISTS_NS = 'urn:ietf:params:xml:ns:resource-lists';
export const RLS_SERVICES_NS = 'urn:ietf:params:xml:ns:rls-services';
export const COMMON_POLICY_NS = 'urn:ietf:params:xml:ns:common-policy';
export const PRES_RULES_NS = 'urn:ietf:params:xml:ns:pres-rules';
export const XCAP_CAPS_NS = 'urn:ietf:params:xml:ns:xcap-caps';

const usage = (auid: string, mimeType: string, rootNs: string, rootName: string, schema: string, userDocuments = true): ApplicationUsage =>
  Object.freeze({ auid, mimeType, rootNs, rootName, defaultNs: rootNs, schema, userDocuments });

export const APPLICATION_USAGES: readonly ApplicationUsage[] = Object.freeze([
  // RFC 4826 §3
  usage('resource-lists', 'application/resource-lists+xml', RESOURCE_LISTS_NS, 'resource-lists', 'resource-lists.xsd'),
  // RFC 4826 §4
  usage('rls-services', 'application/rls-services+xml', RLS_SERVICES_NS, 'rls-services', 'rls-services.xsd'),
  // RFC 5025 §9: pres-rules documents are common-policy rulesets
  usage('pres-rules', 'application/auth-policy+xml', COMMON_POLICY_NS, 'ruleset', 'pres-rules.xsd'),
  // RFC 4827 §4
  usage('pidf-manipulation', 'application/pidf+xml', PIDF_NS, 'presence', 'pidf.xsd'),
  // RFC 4825 §12
  usage('xcap-caps', 'application/xcap-caps+xml', XCAP_CAPS_NS, 'xcap-caps', 'xcap-caps.xsd', false),
]);

export function applicationUsage(auid: string): ApplicationUsage | undefined {
  return APPLICATION_USAGES.find((candidate) => candidate.auid === auid);
}
