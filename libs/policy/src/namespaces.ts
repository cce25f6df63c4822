/** RFC 4745 §13.2: common policy (ruleset, rule, conditions, actions, transformations). */
export const COMMON_POLICY_NS = 'urn:ietf:params:xml:ns:common-policy';
/** RFC 5025 §9.2: presence authorization rules (sub-handling, provide-*). */
export const PRES_RULES_NS = 'urn:ietf:params:xml:ns:pres-rules';
/** RFC 3858 §5: watcher information. */
export const WATCHERINFO_NS = 'urn:ietf:params:xml:ns:watcherinfo';
/** RFC 4826 §3.2: resource lists (the body of an xcap-diff SUBSCRIBE, RFC 5875 §4). */
export const RESOURCE_LISTS_NS = 'urn:ietf:params:xml:ns:resource-lists';
/** RFC 5874 §4: xcap-diff documents. */
export const XCAP_DIFF_NS = 'urn:ietf:params:xml:ns:xcap-diff';
/** RFC 4826 §4.2: rls-services documents (the service URIs an RLS serves and their lists). */
export const RLS_SERVICES_NS = 'urn:ietf:params:xml:ns:rls-services';
/** RFC 4662 §5: the Resource List Meta-Information of a list NOTIFY. */
export const RLMI_NS = 'urn:ietf:params:xml:ns:rlmi';
