import { XML_DECLARATION, escapeAttribute, escapeText } from '@presence/pidf';
import { WATCHERINFO_NS } from '../namespaces.js';
import type { WatcherEntry, WatcherInfo } from './watcherinfo.js';

/** Renders a watcherinfo document (RFC 3858 §5 schema): deterministic, compact. */
export function renderWatcherInfo(info: WatcherInfo): string {
  assertCount('version', info.version);
  const out: string[] = [XML_DECLARATION, '\n<watcherinfo xmlns="', WATCHERINFO_NS, '" version="', String(info.version), '" state="', info.state, '"'];
  if (info.lists.length === 0) {
    out.push('/>');
    return out.join('');
  }
  out.push('>');
  for (const list of info.lists) {
    out.push('<watcher-list resource="', escapeAttribute(list.resource), '" package="', escapeAttribute(list.package), '"');
    if (list.watchers.length === 0) {
      out.push('/>');
      continue;
    }
    out.push('>');
    for (const watcher of list.watchers) renderWatcher(out, watcher);
    out.push('</watcher-list>');
  }
  out.push('</watcherinfo>');
  return out.join('');
}

function renderWatcher(out: string[], watcher: WatcherEntry): void {
  out.push('<watcher id="', escapeAttribute(watcher.id), '" status="', watcher.status, '" event="', watcher.event, '"');
  if (watcher.displayName !== undefined) out.push(' display-name="', escapeAttribute(watcher.displayName), '"');
  if (watcher.expiration !== undefined) {
    assertCount('expiration', watcher.expiration);
    out.push(' expiration="', String(watcher.expiration), '"');
  }
  if (watcher.durationSubscribed !== undefined) {
    assertCount('duration-subscribed', watcher.durationSubscribed);
    out.push(' duration-subscribed="', String(watcher.durationSubscribed), '"');
  }
  if (watcher.lang !== undefined) out.push(' xml:lang="', escapeAttribute(watcher.lang), '"');
  out.push('>', escapeText(watcher.uri), '</watcher>');
}

/** The schema's numbers are unsigned integers; anything else is a caller's bug, refused loudly. */
function assertCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`watcherinfo ${name} must be a non-negative integer, got ${value}`);
}
