import { type XmlElement, childElements, getAttribute } from '@presence/pidf';
import { PRES_RULES_NS } from '../namespaces.js';
import { invalidPresRules as invalid } from '../policy-error.js';
import {
  ATTRIBUTE_PERMISSIONS,
  type AttributePermission,
  type ComponentSelection,
  type ElementName,
  NOTHING_PROVIDED,
  type Transformations,
  USER_INPUT_LEVELS,
  type UserInputLevel,
  combineTransformations,
} from './transformations.js';
import { trimmedText } from './xml-input.js';

type Component = 'services' | 'persons' | 'devices';
type SelectionList = Exclude<keyof ComponentSelection, 'all'>;

/** The element of each component permission and the list items it may hold besides its all-* form (RFC 5025 §3.3.1). */
const COMPONENTS: ReadonlyArray<{ component: Component; element: string; all: string; items: Readonly<Record<string, SelectionList>> }> = [
  { component: 'services', element: 'provide-services', all: 'all-services', items: { 'service-uri': 'serviceUris', 'service-uri-scheme': 'serviceUriSchemes', 'occurrence-id': 'occurrenceIds', class: 'classes' } },
  { component: 'persons', element: 'provide-persons', all: 'all-persons', items: { 'occurrence-id': 'occurrenceIds', class: 'classes' } },
  { component: 'devices', element: 'provide-devices', all: 'all-devices', items: { deviceID: 'deviceIds', 'occurrence-id': 'occurrenceIds', class: 'classes' } },
];

/**
 * One rule's RFC 5025 §3.3 transformations. Several permissions of one kind
 * in a rule add up as they would across rules; unknown ones are ignored.
 */
export function parseTransformations(ruleId: string, transformations: XmlElement | undefined): Transformations {
  let out = NOTHING_PROVIDED;
  for (const child of transformations === undefined ? [] : childElements(transformations, PRES_RULES_NS)) {
    const granted = parsePermission(ruleId, child);
    if (granted !== undefined) out = combineTransformations(out, granted);
  }
  return out;
}

function parsePermission(ruleId: string, element: XmlElement): Transformations | undefined {
  const component = COMPONENTS.find((c) => c.element === element.name);
  if (component !== undefined) return { ...NOTHING_PROVIDED, [component.component]: parseSelection(ruleId, element, component.all, component.items) };
  if (element.name === 'provide-all-attributes') return { ...NOTHING_PROVIDED, allAttributes: true };
  if (element.name === 'provide-user-input') {
    const level = trimmedText(element);
    if (!(USER_INPUT_LEVELS as readonly string[]).includes(level)) throw invalid(`rule ${JSON.stringify(ruleId)}: provide-user-input must be false, bare, thresholds or full`);
    return { ...NOTHING_PROVIDED, userInput: level as UserInputLevel };
  }
  if (element.name === 'provide-unknown-attribute') {
    const ns = getAttribute(element, 'ns');
    const name = getAttribute(element, 'name');
    if (ns === undefined || name === undefined || name === '') throw invalid(`rule ${JSON.stringify(ruleId)}: provide-unknown-attribute needs ns and name`);
    const unknown: ElementName = { ns, name };
    return booleanValue(ruleId, element) ? { ...NOTHING_PROVIDED, unknownAttributes: [unknown] } : undefined;
  }
  const attribute = element.name.startsWith('provide-') ? element.name.slice('provide-'.length) : '';
  if ((ATTRIBUTE_PERMISSIONS as readonly string[]).includes(attribute)) {
    return booleanValue(ruleId, element) ? { ...NOTHING_PROVIDED, attributes: [attribute as AttributePermission] } : undefined;
  }
  return undefined;
}

function parseSelection(ruleId: string, element: XmlElement, all: string, items: Readonly<Record<string, SelectionList>>): ComponentSelection {
  let selectsAll = false;
  const lists: Record<SelectionList, string[]> = { occurrenceIds: [], classes: [], deviceIds: [], serviceUris: [], serviceUriSchemes: [] };
  for (const child of childElements(element, PRES_RULES_NS)) {
    if (child.name === all) {
      selectsAll = true;
      continue;
    }
    const list = items[child.name];
    if (list === undefined) continue;
    const value = trimmedText(child);
    if (value === '') throw invalid(`rule ${JSON.stringify(ruleId)}: empty <${child.name}> in <${element.name}>`);
    lists[list].push(value);
  }
  return { all: selectsAll, ...lists };
}

/** xs:boolean: true, false, 1 or 0. */
function booleanValue(ruleId: string, element: XmlElement): boolean {
  const text = trimmedText(element);
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw invalid(`rule ${JSON.stringify(ruleId)}: <${element.name}> must be true or false`);
}
