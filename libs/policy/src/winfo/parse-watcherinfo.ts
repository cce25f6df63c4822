import { type PidfLimits, XML_NS, type XmlElement, childElements, getAttribute } from '@presence/pidf';
import { WATCHERINFO_NS } from '../namespaces.js';
import { PolicyError } from '../policy-error.js';
import { parsePolicyXml, trimmedText } from '../rules/xml-input.js';
import { WATCHER_EVENTS, WATCHER_STATUSES, type WatcherEntry, type WatcherEvent, type WatcherInfo, type WatcherList, type WatcherStatus } from './watcherinfo.js';

/** Bounds for a watcherinfo body: a few thousand watchers. */
export const defaultWatcherInfoLimits: PidfLimits = Object.freeze({
  maxBytes: 512 * 1024,
  maxDepth: 8,
  maxElements: 10_000,
  maxAttributes: 16,
});

const LABEL = 'watcherinfo';
const UNSIGNED = /^[0-9]+$/;

/**
 * Parses an application/watcherinfo+xml body (RFC 3858), checking what the
 * schema requires: version and state on the root, resource and package on
 * each list, id, status and event from their enumerations on each watcher.
 * Elements of other namespaces are ignored (the schema's extension points).
 * @throws PolicyError naming the problem.
 */
export function parseWatcherInfo(xml: string, limits: PidfLimits = defaultWatcherInfoLimits): WatcherInfo {
  const root = parsePolicyXml(xml, limits, LABEL, WATCHERINFO_NS, 'watcherinfo');
  const state = required(root, 'state');
  if (state !== 'full' && state !== 'partial') throw invalid(`state must be full or partial, not ${JSON.stringify(state)}`);
  return { version: count(root, 'version', true) as number, state, lists: childElements(root, WATCHERINFO_NS, 'watcher-list').map(parseList) };
}

function parseList(list: XmlElement): WatcherList {
  return { resource: required(list, 'resource'), package: required(list, 'package'), watchers: childElements(list, WATCHERINFO_NS, 'watcher').map(parseWatcher) };
}

function parseWatcher(watcher: XmlElement): WatcherEntry {
  const status = oneOf<WatcherStatus>(watcher, 'status', WATCHER_STATUSES);
  const event = oneOf<WatcherEvent>(watcher, 'event', WATCHER_EVENTS);
  const uri = trimmedText(watcher);
  if (uri === '') throw invalid('watcher without a URI');
  const displayName = getAttribute(watcher, 'display-name');
  const expiration = count(watcher, 'expiration', false);
  const durationSubscribed = count(watcher, 'duration-subscribed', false);
  const lang = getAttribute(watcher, 'lang', XML_NS);
  return {
    id: required(watcher, 'id'),
    status,
    event,
    uri,
    ...(displayName === undefined ? {} : { displayName }),
    ...(durationSubscribed === undefined ? {} : { durationSubscribed }),
    ...(expiration === undefined ? {} : { expiration }),
    ...(lang === undefined ? {} : { lang }),
  };
}

function required(element: XmlElement, name: string): string {
  const value = getAttribute(element, name);
  if (value === undefined || value === '') throw invalid(`<${element.name}> without ${name}`);
  return value;
}

function oneOf<T extends string>(element: XmlElement, name: string, allowed: readonly T[]): T {
  const value = required(element, name);
  if (!(allowed as readonly string[]).includes(value)) throw invalid(`<${element.name}> ${name} must be one of ${allowed.join('|')}, not ${JSON.stringify(value.slice(0, 40))}`);
  return value as T;
}

function count(element: XmlElement, name: string, mandatory: boolean): number | undefined {
  const value = mandatory ? required(element, name) : getAttribute(element, name);
  if (value === undefined) return undefined;
  const number = UNSIGNED.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number)) throw invalid(`<${element.name}> ${name} must be a non-negative integer`);
  return number;
}

function invalid(problem: string): PolicyError {
  return new PolicyError('invalid', `Invalid ${LABEL}: ${problem}`);
}
