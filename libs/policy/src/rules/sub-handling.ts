/** RFC 5025 §3.2.1: what happens to a subscription. */
export type SubHandling = 'block' | 'confirm' | 'polite-block' | 'allow';

export const SUB_HANDLINGS: readonly SubHandling[] = Object.freeze(['block', 'confirm', 'polite-block', 'allow']);

/**
 * RFC 5025 §3.2.1 maps the values onto integers so that RFC 4745 §10.2
 * can combine them by taking the maximum: the most permissive wins.
 */
export const SUB_HANDLING_RANK: Readonly<Record<SubHandling, number>> = Object.freeze({
  block: 0,
  confirm: 10,
  'polite-block': 20,
  allow: 30,
});

export function isSubHandling(value: string): value is SubHandling {
  return (SUB_HANDLINGS as readonly string[]).includes(value);
}

/** The more permissive of two values. */
export function morePermissive(a: SubHandling, b: SubHandling): SubHandling {
  return SUB_HANDLING_RANK[b] > SUB_HANDLING_RANK[a] ? b : a;
}
