import type { PresentitySnapshot } from '@presence/contracts';
import type { PresentityState } from '@presence/core';
import { emptyPidf } from '@presence/pidf';
import type { ViewRequest } from '@presence/policy';
import type { WatcherViews } from './watcher-views.js';

/**
 * A presentity's state as the edges receive it in replies: the composed
 * document (the offline one when nothing is published) and the restricted
 * views its watchers hold at that version, `extra` included (the watcher
 * being answered).
 */
export async function snapshotOf(state: PresentityState, views: WatcherViews, extra?: ViewRequest): Promise<PresentitySnapshot> {
  const rendered = await views.render(state.presentity, state.version, state.document, extra);
  return {
    presentity: state.presentity,
    version: state.version,
    incarnation: state.incarnation,
    document: state.document === '' ? emptyPidf(state.presentity) : state.document,
    ...(rendered === undefined ? {} : { views: rendered }),
  };
}
