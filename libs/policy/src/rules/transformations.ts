/**
 * RFC 5025 §3.3.2: the attribute permissions that are plain booleans,
 * named as in their element (`provide-<name>`). `user-input` has levels
 * and unknown attributes have a name, so both are apart.
 */
export type AttributePermission =
  | 'activities'
  | 'class'
  | 'deviceID'
  | 'mood'
  | 'note'
  | 'place-is'
  | 'place-type'
  | 'privacy'
  | 'relationship'
  | 'sphere'
  | 'status-icon'
  | 'time-offset';

export const ATTRIBUTE_PERMISSIONS: readonly AttributePermission[] = Object.freeze([
  'activities',
  'class',
  'deviceID',
  'mood',
  'note',
  'place-is',
  'place-type',
  'privacy',
  'relationship',
  'sphere',
  'status-icon',
  'time-offset',
]);

/** RFC 5025 §3.3.2.12 provide-user-input, least to most revealing. */
export type UserInputLevel = 'false' | 'bare' | 'thresholds' | 'full';

export const USER_INPUT_LEVELS: readonly UserInputLevel[] = Object.freeze(['false', 'bare', 'thresholds', 'full']);

/**
 * Which services (tuples), persons or devices a watcher gets (RFC 5025
 * §3.3.1): all of them, or those matching any listed id, class, device
 * id, service URI or URI scheme. The lists are sorted and free of
 * duplicates, and empty when `all`, so equal selections are equal values.
 */
export interface ComponentSelection {
  readonly all: boolean;
  readonly occurrenceIds: readonly string[];
  readonly classes: readonly string[];
  /** provide-devices only: dm:deviceID values. */
  readonly deviceIds: readonly string[];
  /** provide-services only: the tuple's contact URI. */
  readonly serviceUris: readonly string[];
  /** provide-services only: the scheme of the tuple's contact URI, lower-case. */
  readonly serviceUriSchemes: readonly string[];
}

/** An element named by provide-unknown-attribute (RFC 5025 §3.3.2.14). */
export interface ElementName {
  readonly ns: string;
  readonly name: string;
}

/**
 * The combined transformations of the matching rules: what of the
 * presence document a watcher may see. Canonical (see normalize), so
 * viewKey is a faithful identity.
 */
export interface Transformations {
  readonly services: ComponentSelection;
  readonly persons: ComponentSelection;
  readonly devices: ComponentSelection;
  /** RFC 5025 §3.3.2.15: every attribute, known or not; the permissions below are then moot. */
  readonly allAttributes: boolean;
  readonly attributes: readonly AttributePermission[];
  readonly userInput: UserInputLevel;
  readonly unknownAttributes: readonly ElementName[];
}

export const NO_COMPONENTS: ComponentSelection = Object.freeze({ all: false, occurrenceIds: [], classes: [], deviceIds: [], serviceUris: [], serviceUriSchemes: [] });
const ALL_COMPONENTS: ComponentSelection = Object.freeze({ ...NO_COMPONENTS, all: true });

/** RFC 5025: a permission not granted is denied, so no rule grants nothing. */
export const NOTHING_PROVIDED: Transformations = Object.freeze({
  services: NO_COMPONENTS,
  persons: NO_COMPONENTS,
  devices: NO_COMPONENTS,
  allAttributes: false,
  attributes: [],
  userInput: 'false',
  unknownAttributes: [],
});

/** The whole document, as every watcher saw it before authorization existed (the view of a default `allow`). */
export const EVERYTHING_PROVIDED: Transformations = Object.freeze({
  services: ALL_COMPONENTS,
  persons: ALL_COMPONENTS,
  devices: ALL_COMPONENTS,
  allAttributes: true,
  attributes: [],
  userInput: 'full',
  unknownAttributes: [],
});

/** RFC 4745 §10.2 for sets: what any matching rule provides is provided. */
export function combineTransformations(a: Transformations, b: Transformations): Transformations {
  return normalizeTransformations({
    services: unionSelection(a.services, b.services),
    persons: unionSelection(a.persons, b.persons),
    devices: unionSelection(a.devices, b.devices),
    allAttributes: a.allAttributes || b.allAttributes,
    attributes: [...a.attributes, ...b.attributes],
    userInput: USER_INPUT_LEVELS.indexOf(a.userInput) >= USER_INPUT_LEVELS.indexOf(b.userInput) ? a.userInput : b.userInput,
    unknownAttributes: [...a.unknownAttributes, ...b.unknownAttributes],
  });
}

/** Sorts and de-duplicates every list and drops what an `all` makes moot. */
export function normalizeTransformations(t: Transformations): Transformations {
  if (t.allAttributes) return Object.freeze({ ...t, services: normalizeSelection(t.services), persons: normalizeSelection(t.persons), devices: normalizeSelection(t.devices), attributes: [], userInput: 'full', unknownAttributes: [] });
  const unknown = new Map(t.unknownAttributes.map((e) => [`{${e.ns}}${e.name}`, { ns: e.ns, name: e.name }]));
  return Object.freeze({
    services: normalizeSelection(t.services),
    persons: normalizeSelection(t.persons),
    devices: normalizeSelection(t.devices),
    allAttributes: false,
    attributes: sortedUnique(t.attributes),
    userInput: t.userInput,
    unknownAttributes: [...unknown.keys()].sort().map((key) => unknown.get(key) as ElementName),
  });
}

/**
 * A string identifying the view: equal for equal transformations, so
 * watchers with the same key share one rendered document per version.
 */
export function viewKey(t: Transformations): string {
  let key = viewKeys.get(t);
  if (key === undefined) {
    key = JSON.stringify(normalizeTransformations(t));
    viewKeys.set(t, key);
  }
  return key;
}

/** Keys of transformations already seen: a rule's own are one object for every watcher it decides. */
const viewKeys = new WeakMap<Transformations, string>();

function unionSelection(a: ComponentSelection, b: ComponentSelection): ComponentSelection {
  return {
    all: a.all || b.all,
    occurrenceIds: [...a.occurrenceIds, ...b.occurrenceIds],
    classes: [...a.classes, ...b.classes],
    deviceIds: [...a.deviceIds, ...b.deviceIds],
    serviceUris: [...a.serviceUris, ...b.serviceUris],
    serviceUriSchemes: [...a.serviceUriSchemes, ...b.serviceUriSchemes],
  };
}

function normalizeSelection(s: ComponentSelection): ComponentSelection {
  if (s.all) return ALL_COMPONENTS;
  return Object.freeze({
    all: false,
    occurrenceIds: sortedUnique(s.occurrenceIds),
    classes: sortedUnique(s.classes),
    deviceIds: sortedUnique(s.deviceIds),
    serviceUris: sortedUnique(s.serviceUris),
    serviceUriSchemes: sortedUnique(s.serviceUriSchemes.map((scheme) => scheme.toLowerCase())),
  });
}

function sortedUnique<T extends string>(values: readonly T[]): T[] {
  return [...new Set(values)].sort();
}
