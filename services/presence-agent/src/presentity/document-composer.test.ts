import { describe, expect, it } from 'vitest';
import { DEFAULT_PARSED_CACHE, DocumentComposer, parsedDocumentWeight } from './document-composer.js';

/** A valid PIDF document of about `bytes` bytes, distinct per `n`. */
function pidf(n: number, bytes: number): string {
  const note = 'x'.repeat(Math.max(0, bytes - 250));
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:alice@example.com">` +
    `<tuple id="t${n}"><status><basic>open</basic></status><note>${n} ${note}</note></tuple></presence>`
  );
}

describe('DocumentComposer', () => {
  it('DocumentComposer - a body parsed once is served from the cache (a refresh keeps its body)', () => {
    const composer = new DocumentComposer();
    const body = pidf(1, 300);
    expect(composer.parse(body)).toBe(composer.parse(body));
    expect(composer.cachedWeight).toBe(parsedDocumentWeight(body));
  });

  // The soak (npm run soak) found the agent's heap climbing for minutes: every distinct body stayed parsed
  // up to 10 000 entries whatever their size, so 64 kB documents could hold gigabytes.
  it('DocumentComposer - hundreds of distinct 32 kB documents keep the cache within its weight budget', () => {
    const composer = new DocumentComposer();
    let largest = 0;
    for (let n = 0; n < 300; n++) {
      composer.parse(pidf(n, 32 * 1024));
      largest = Math.max(largest, composer.cachedWeight);
    }
    expect(largest).toBeLessThanOrEqual(DEFAULT_PARSED_CACHE.weight);
    expect(largest).toBeGreaterThan(DEFAULT_PARSED_CACHE.weight - 2 * parsedDocumentWeight(pidf(0, 32 * 1024)));
  });

  it('DocumentComposer - a small cache keeps the most recently used bodies', () => {
    const composer = new DocumentComposer({ entries: 2, weight: 1024 * 1024 });
    const [a, b, c] = [pidf(1, 300), pidf(2, 300), pidf(3, 300)];
    const parsedA = composer.parse(a);
    composer.parse(b);
    composer.parse(a);
    composer.parse(c);
    expect(composer.parse(a)).toBe(parsedA);
    expect(composer.cachedWeight).toBe(parsedDocumentWeight(a) + parsedDocumentWeight(c));
  });
});
