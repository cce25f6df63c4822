import { createHash } from 'node:crypto';
import { POLITE_BLOCK_VIEW, WHOLE_DOCUMENT_VIEW } from '@presence/contracts';
import type { WatchedState } from './presentity-interest.js';

/** The tags of one presentity version, one per view shown. */
interface VersionTags {
  version: number;
  incarnation: string;
  readonly byView: Map<string, string>;
}

/**
 * RFC 5839 §6.1 entity-tags of presence NOTIFY bodies. An entity is one
 * view of one version of the presentity's document, so its tag is derived
 * from (store incarnation, version, view key): every edge computes the same
 * tag for the same bytes, which lets a watcher whose dialog another edge
 * adopts keep its tag. Computed once per (version, view) and shared by every
 * watcher of it. A politely blocked watcher, or one whose restricted view is
 * not here, is shown the offline document; its tag depends on nothing else,
 * so it never changes with the version the rules hide (RFC 5025 §3.2.1).
 */
export class EntityTags {
  /** Keyed by the interest's state record, which lives exactly as long as someone watches the presentity. */
  private readonly cache = new WeakMap<WatchedState, VersionTags>();

  of(presentity: string, state: WatchedState, viewKey: string): string {
    let tags = this.cache.get(state);
    if (tags === undefined) this.cache.set(state, (tags = { version: state.version, incarnation: state.incarnation, byView: new Map() }));
    else if (tags.version !== state.version || tags.incarnation !== state.incarnation) {
      tags.version = state.version;
      tags.incarnation = state.incarnation;
      tags.byView.clear();
    }
    const shown = viewKey === WHOLE_DOCUMENT_VIEW || state.views?.has(viewKey) ? viewKey : POLITE_BLOCK_VIEW;
    let tag = tags.byView.get(shown);
    if (tag === undefined) {
      tag = shown === POLITE_BLOCK_VIEW ? digest(`offline\u0000${presentity}`) : digest(`${state.incarnation}\u0000${state.version}\u0000${shown}`);
      // Bounded: the agent renders a bounded number of views per version.
      tags.byView.set(shown, tag);
    }
    return tag;
  }
}

/** 12 digest bytes: 16 base64url characters, all token characters (RFC 3903 entity-tag). */
function digest(text: string): string {
  return createHash('sha256').update(text).digest().toString('base64url', 0, 12);
}
