export { COMMON_POLICY_NS, PRES_RULES_NS, RESOURCE_LISTS_NS, WATCHERINFO_NS, XCAP_DIFF_NS } from './namespaces.js';
export type { PolicyErrorKind } from './policy-error.js';
export { PolicyError } from './policy-error.js';
export type { SubHandling } from './rules/sub-handling.js';
export { SUB_HANDLINGS, SUB_HANDLING_RANK, isSubHandling, morePermissive } from './rules/sub-handling.js';
export type { AttributePermission, ComponentSelection, ElementName, Transformations, UserInputLevel } from './rules/transformations.js';
export {
  ATTRIBUTE_PERMISSIONS,
  EVERYTHING_PROVIDED,
  NOTHING_PROVIDED,
  USER_INPUT_LEVELS,
  combineTransformations,
  normalizeTransformations,
  viewKey,
} from './rules/transformations.js';
export type { IdentityCondition, ManyIdentities, Rule, RuleConditions, Ruleset, ValidityCondition } from './rules/ruleset.js';
export { EMPTY_RULESET } from './rules/ruleset.js';
export { defaultPresRulesLimits, parsePresRules } from './rules/parse-pres-rules.js';
export type { AuthorizationDecision, AuthorizationRequest } from './rules/evaluate-rules.js';
export { evaluateRules, ruleMatches } from './rules/evaluate-rules.js';
export { applyTransformations, politeBlockDocument } from './view/apply-transformations.js';
export type { PresentityViewsOptions, ViewRequest } from './view/presentity-views.js';
export { PresentityViews } from './view/presentity-views.js';
export type { WatcherEntry, WatcherEvent, WatcherInfo, WatcherList, WatcherStatus } from './winfo/watcherinfo.js';
export { WATCHERINFO_CONTENT_TYPE, WATCHER_EVENTS, WATCHER_STATUSES } from './winfo/watcherinfo.js';
export { renderWatcherInfo } from './winfo/render-watcherinfo.js';
export { defaultWatcherInfoLimits, parseWatcherInfo } from './winfo/parse-watcherinfo.js';
export type { WatcherInfoMerge } from './winfo/merge-watcherinfo.js';
export { changedWatchers, mergeWatcherInfo } from './winfo/merge-watcherinfo.js';
export type { AuthorizationStanding, AuthorizationTransition } from './authorization/authorization-transition.js';
export { authorizationTransition } from './authorization/authorization-transition.js';
export type { BookEntry } from './authorization/pres-rules-book.js';
export {
  DEFAULT_SUB_HANDLING,
  DEFAULT_SUB_HANDLING_CHOICES,
  PRES_RULES_AUID,
  PRES_RULES_CONTENT_TYPE,
  PRES_RULES_FILENAME,
  PresRulesBook,
  presRulesRef,
} from './authorization/pres-rules-book.js';
export type { SimpleRule } from './rules/render-pres-rules.js';
export { renderPresRules } from './rules/render-pres-rules.js';
export type { XcapResource } from './xcap-diff/xcap-diff-resources.js';
export { MAX_XCAP_DIFF_RESOURCES, defaultXcapDiffLimits, documentSelector, parseXcapDiffResources, resourceCovers, xcapResourceOf } from './xcap-diff/xcap-diff-resources.js';
export type { XcapDiffDocument } from './xcap-diff/render-xcap-diff.js';
export { XCAP_DIFF_CONTENT_TYPE, renderXcapDiff } from './xcap-diff/render-xcap-diff.js';
export type { FilterDefinition, FilterOperation, FilterSet, Selector, TriggerCondition } from './filter/filter-set.js';
export { MAX_EXPRESSIONS, MAX_FILTERS, SIMPLE_FILTER_CONTENT_TYPE, SIMPLE_FILTER_NS, defaultFilterLimits, filterSetOf, mergeFilterSet, parseFilterDocument } from './filter/filter-set.js';
export { renderFilterSet } from './filter/render-filter-set.js';
export type { FilteredVersion } from './filter/apply-filter.js';
export { activeFilters, changeNotifies, filterDocument, triggerFires } from './filter/apply-filter.js';
export { UnsupportedFilterError } from './filter/filter-error.js';
export type { CompiledPath, NsBindings, Selected } from './filter/xpath-subset.js';
export { XPATH_LIMITS, compileXPath, selectNodes } from './filter/xpath-subset.js';
export { RLMI_NS, RLS_SERVICES_NS } from './namespaces.js';
export type { ServiceDefinition, ServiceList } from './rls/list-documents.js';
export { bodyList, defaultListDocumentLimits, findService, parseResourceListsDocument } from './rls/list-documents.js';
export type { ListReference, SelectorStep } from './rls/list-reference.js';
export { RESOURCE_LISTS_AUID, parseListReference } from './rls/list-reference.js';
export type { ListDocuments, ListMember, ListResolution, ResolveOptions, SkippedReference } from './rls/resolve-list.js';
export { DEFAULT_MAX_LIST_MEMBERS, ListTooLargeError, memberKey, resolveList } from './rls/resolve-list.js';
export type { RlmiInstance, RlmiList, RlmiResource } from './rls/rlmi.js';
export { RLMI_CONTENT_TYPE, renderRlmi } from './rls/rlmi.js';
export type { RelatedPart } from './rls/multipart-related.js';
export { multipartRelated } from './rls/multipart-related.js';
