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
