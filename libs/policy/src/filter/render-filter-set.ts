import { escapeAttribute, escapeText, XML_DECLARATION } from '@presence/pidf';
import { unsupportedFilter } from './filter-error.js';
import type { FilterDefinition, Selector, TriggerCondition } from './filter-set.js';

/**
 * One filter-set document holding `filters` (RFC 4661), canonical: the same
 * filters always render the same text, so it is both the set's identity
 * (its digest) and what a dialog's mirror stores for an edge that adopts it.
 * Filters merged from several documents share one <ns-bindings>: a prefix
 * bound to two namespaces by different documents cannot be held together
 * (UnsupportedFilterError, 488).
 */
export function renderFilterSet(filters: readonly FilterDefinition[]): string {
  const bindings = new Map<string, string>();
  for (const filter of filters) {
    for (const [prefix, urn] of filter.bindings) {
      const held = bindings.get(prefix);
      if (held !== undefined && held !== urn) throw unsupportedFilter(`prefix '${prefix}' bound to two namespaces across filters`);
      bindings.set(prefix, urn);
    }
  }
  const out = [XML_DECLARATION, '<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter">'];
  if (bindings.size > 0) {
    out.push('<ns-bindings>');
    for (const prefix of [...bindings.keys()].sort()) out.push(`<ns-binding prefix="${escapeAttribute(prefix)}" urn="${escapeAttribute(bindings.get(prefix)!)}"/>`);
    out.push('</ns-bindings>');
  }
  for (const filter of filters) out.push(renderFilter(filter));
  out.push('</filter-set>');
  return out.join('');
}

function renderFilter(filter: FilterDefinition): string {
  let out = `<filter id="${escapeAttribute(filter.id)}"`;
  if (filter.uri !== undefined) out += ` uri="${escapeAttribute(filter.uri)}"`;
  if (filter.domain !== undefined) out += ` domain="${escapeAttribute(filter.domain)}"`;
  if (!filter.enabled) out += ' enabled="false"';
  out += '>';
  if (filter.what !== undefined) {
    out += '<what>';
    for (const selector of filter.what.include) out += selectorElement('include', selector);
    for (const selector of filter.what.exclude) out += selectorElement('exclude', selector);
    out += '</what>';
  }
  for (const trigger of filter.triggers) out += `<trigger>${trigger.map(conditionElement).join('')}</trigger>`;
  return `${out}</filter>`;
}

function selectorElement(name: string, selector: Selector): string {
  return `<${name} type="${selector.type}">${escapeText(selector.type === 'xpath' ? selector.source : selector.uri)}</${name}>`;
}

function conditionElement(condition: TriggerCondition): string {
  let attributes = '';
  if (condition.kind === 'changed') {
    if (condition.from !== undefined) attributes += ` from="${escapeAttribute(condition.from)}"`;
    if (condition.to !== undefined) attributes += ` to="${escapeAttribute(condition.to)}"`;
    if (condition.by !== undefined) attributes += ` by="${condition.by}"`;
  }
  return `<${condition.kind}${attributes}>${escapeText(condition.source)}</${condition.kind}>`;
}
