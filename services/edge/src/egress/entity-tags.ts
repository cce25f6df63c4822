import { createHash } from 'node:crypto';
import { POLITE_BLOCK_VIEW, WHOLE_DOCUMENT_VIEW } from '@presence/contracts';
import type { WatchedState } from './presentity-interest.js';

/**
 * The tags of one watched presentity: a digest per (incarnation, view), the
 * tag per view of the current version. The whole-document view, the one
 * nearly every watcher has, is held in two fields; the maps are made for the
 * other views only (two empty Maps cost ~350 bytes per watched presentity).
 */
interface PresentityTags {
  incarnation: string;
  version: number;
  /** `<digest of incarnation and whole-document view>.`, kept while the incarnation lasts. */
  wholePrefix: string | undefined;
  /** wholePrefix + version, for the version held. */
  wholeTag: string | undefined;
  /** The other views' prefixes, kept while the incarnation lasts. */
  prefixes: Map<string, string> | undefined;
  /** The other views' tags (prefix + version, or the polite block's), for the version held; cleared when it moves. */
  current: Map<string, string> | undefined;
}

/**
 * RFC 5839 §6.1 entity-tags of presence NOTIFY bodies. An entity is one
 * view of one version of the presentity's document, so its tag is derived
 * from (store incarnation, view key, version): every edge computes the same
 * tag for the same bytes, which lets a watcher whose dialog another edge
 * adopts keep its tag. The digest is taken once per incarnation and view,
 * a new version only appends its number; each tag is made once per version
 * and view and shared by every watcher of it. A politely blocked watcher, or
 * one whose restricted view is not here, is shown the offline document; its
 * tag depends on the presentity alone, so it never moves with the versions
 * the rules hide (RFC 5025 §3.2.1).
 */
export class EntityTags {
  /** Keyed by the interest's state record, which lives exactly as long as someone watches the presentity. */
  private readonly cache = new WeakMap<WatchedState, PresentityTags>();

  of(presentity: string, state: WatchedState, viewKey: string): string {
    const tags = this.tagsOf(state);
    const shown = viewKey === WHOLE_DOCUMENT_VIEW || state.views?.has(viewKey) ? viewKey : POLITE_BLOCK_VIEW;
    if (shown === WHOLE_DOCUMENT_VIEW) {
      tags.wholePrefix ??= prefixOf(state.incarnation, shown);
      return (tags.wholeTag ??= tags.wholePrefix + state.version.toString(36));
    }
    tags.current ??= new Map();
    let tag = tags.current.get(shown);
    if (tag === undefined) {
      if (shown === POLITE_BLOCK_VIEW) tag = digest(`offline\u0000${presentity}`);
      else {
        tags.prefixes ??= new Map();
        let prefix = tags.prefixes.get(shown);
        // Bounded: the agent renders a bounded number of views per presentity.
        if (prefix === undefined) tags.prefixes.set(shown, (prefix = prefixOf(state.incarnation, shown)));
        tag = prefix + state.version.toString(36);
      }
      tags.current.set(shown, tag);
    }
    return tag;
  }

  private tagsOf(state: WatchedState): PresentityTags {
    let tags = this.cache.get(state);
    if (tags === undefined) {
      tags = { incarnation: state.incarnation, version: state.version, wholePrefix: undefined, wholeTag: undefined, prefixes: undefined, current: undefined };
      this.cache.set(state, tags);
    } else if (tags.version !== state.version || tags.incarnation !== state.incarnation) {
      if (tags.incarnation !== state.incarnation) {
        tags.wholePrefix = undefined;
        tags.prefixes?.clear();
      }
      tags.incarnation = state.incarnation;
      tags.version = state.version;
      tags.wholeTag = undefined;
      tags.current?.clear();
    }
    return tags;
  }
}

function prefixOf(incarnation: string, viewKey: string): string {
  return `${digest(`${incarnation}\u0000${viewKey}`)}.`;
}

/** 9 digest bytes: 12 base64url characters, all token characters (RFC 3903 entity-tag). */
function digest(text: string): string {
  return createHash('sha256').update(text).digest().toString('base64url', 0, 9);
}
