import { RecentMap, type Publication } from '@presence/core';
import { composePidf, parsePidf, type PidfDocument } from '@presence/pidf';

/**
 * What a cached parse is taken to cost: its text and a parsed tree of
 * about three times that, plus a fixed part (the soak's heap snapshots:
 * ~2 kB per 250-byte document). An estimate for the budget, not an account.
 */
export const parsedDocumentWeight = (body: string): number => 4 * body.length + 1024;

/** Parsed bodies kept: a count and a weight bound, so 64 kB documents cannot make it gigabytes. */
export const DEFAULT_PARSED_CACHE = { entries: 10_000, weight: 8 * 1024 * 1024 };

/**
 * Turns a presentity's publications into the one document watchers see
 * (RFC 3903 §4: the ESC composes; RFC 4479 rules live in @presence/pidf).
 * Parsed bodies are cached by body text, since a refresh keeps the body and a
 * presentity is recomposed on every change.
 */
export class DocumentComposer {
  private readonly parsed: RecentMap<string, PidfDocument>;

  constructor(cache = DEFAULT_PARSED_CACHE) {
    this.parsed = new RecentMap(cache.entries, { max: cache.weight, weigh: (body) => parsedDocumentWeight(body) });
  }

  /** Estimated bytes the cache holds (parsedDocumentWeight summed). */
  get cachedWeight(): number {
    return this.parsed.weight;
  }

  /** Validates a body before it is accepted; throws PidfError. */
  parse(body: string): PidfDocument {
    const hit = this.parsed.get(body);
    if (hit) return hit;
    const document = parsePidf(body);
    this.parsed.set(body, document);
    return document;
  }

  compose(presentity: string, publications: readonly Publication[]): string {
    return composePidf(
      presentity,
      publications.map((p) => ({ document: this.parse(p.body), publishedAt: p.publishedAt })),
    );
  }
}
