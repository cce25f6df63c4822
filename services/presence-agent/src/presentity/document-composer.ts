import { RecentMap, type Publication } from '@presence/core';
import { composePidf, parsePidf, type PidfDocument } from '@presence/pidf';

/**
 * Turns a presentity's publications into the one document watchers see
 * (RFC 3903 §4: the ESC composes; RFC 4479 rules live in @presence/pidf).
 * Parsed bodies are cached by body text, since a refresh keeps the body and a
 * presentity is recomposed on every change.
 */
export class DocumentComposer {
  private readonly parsed: RecentMap<string, PidfDocument>;

  constructor(cacheSize = 10_000) {
    this.parsed = new RecentMap(cacheSize);
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
