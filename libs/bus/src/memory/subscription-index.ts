import type { LocalSubscription } from './local-subscription.js';
import { matchesPattern } from './subject-match.js';

const NONE: readonly LocalSubscription[] = [];

/**
 * Subject -> subscriptions lookup. Literal subjects are kept in a Map (one
 * lookup per publish however many there are: an edge holds 100k+), wildcard
 * patterns in a separate list scanned per publish (there are few).
 */
export class SubscriptionIndex {
  private readonly exact = new Map<string, LocalSubscription[]>();
  private wildcards: LocalSubscription[] = [];

  add(subscription: LocalSubscription): void {
    if (subscription.tokens !== undefined) {
      this.wildcards.push(subscription);
      return;
    }
    const list = this.exact.get(subscription.pattern);
    if (list === undefined) this.exact.set(subscription.pattern, [subscription]);
    else list.push(subscription);
  }

  remove(subscription: LocalSubscription): void {
    if (subscription.tokens !== undefined) {
      const i = this.wildcards.indexOf(subscription);
      if (i >= 0) this.wildcards.splice(i, 1);
      return;
    }
    const list = this.exact.get(subscription.pattern);
    if (list === undefined) return;
    const i = list.indexOf(subscription);
    if (i < 0) return;
    if (list.length === 1) this.exact.delete(subscription.pattern);
    else list.splice(i, 1);
  }

  /**
   * Subscriptions matching a literal subject: exact ones first, then
   * wildcards, each in subscription order. The result may be internal
   * storage: read it at once, do not keep it.
   */
  match(subject: string): readonly LocalSubscription[] {
    const exact = this.exact.get(subject);
    if (this.wildcards.length === 0) return exact ?? NONE;
    const found = exact === undefined ? [] : exact.slice();
    const tokens = subject.split('.');
    for (const subscription of this.wildcards) {
      if (matchesPattern(subscription.tokens as readonly string[], tokens)) found.push(subscription);
    }
    return found;
  }

  clear(): void {
    this.exact.clear();
    this.wildcards = [];
  }
}
