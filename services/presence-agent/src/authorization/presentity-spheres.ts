import { RecentMap } from '@presence/core';
import { RPID_NS, childElements, parsePidf, textContent, type XmlElement } from '@presence/pidf';
import type { Ruleset } from '@presence/policy';

/** A composed document as the agent holds it: the sphere is read once per version. */
export interface SphereSource {
  readonly presentity: string;
  readonly version: number;
  readonly document: string;
}

/**
 * The presentity's current sphere (RFC 4480 §3.7: the `<rpid:sphere>` of its
 * person element), which the pres-rules `<sphere>` condition compares with
 * (RFC 4745 §7.2). Parsed once per composed version and kept for a bounded
 * number of presentities; `observe` tells whether a new version moved it,
 * so the rules change follower re-decides watchers only then.
 */
export class PresentitySpheres {
  private readonly known: RecentMap<string, { readonly version: number; readonly sphere: string | undefined }>;

  constructor(capacity: number) {
    this.known = new RecentMap(capacity);
  }

  sphereOf(source: SphereSource): string | undefined {
    const entry = this.known.get(source.presentity);
    if (entry !== undefined && entry.version === source.version) return entry.sphere;
    const sphere = sphereOfDocument(source.document);
    this.known.set(source.presentity, { version: source.version, sphere });
    return sphere;
  }

  /** Records a newly committed version; true when its sphere differs from the one known before (none known counts as no sphere). */
  observe(source: SphereSource): boolean {
    const before = this.known.get(source.presentity);
    return this.sphereOf(source) !== before?.sphere;
  }

  /** The last sphere seen for the presentity without reading anything; undefined when none is known. */
  lastKnown(presentity: string): string | undefined {
    return this.known.get(presentity)?.sphere;
  }
}

/** RFC 4480 §3.7: the sphere is an empty element (`<rpid:work/>`, `<rpid:home/>`) or free text; the first person that states one counts. */
export function sphereOfDocument(document: string): string | undefined {
  // Every commit asks, and a full parse was ~5 % of a new PUBLISH's CPU. XML names cannot be
  // escaped, so a document whose text lacks "sphere" has no sphere element: exact, not a guess.
  if (!document.includes('sphere')) return undefined;
  let parsed;
  try {
    parsed = parsePidf(document);
  } catch {
    // A composed document the agent wrote always parses; an unreadable one has no sphere (sphere rules do not match: fail closed).
    return undefined;
  }
  for (const person of parsed.persons) {
    const sphere = childElements(person, RPID_NS, 'sphere')[0];
    if (sphere !== undefined) return sphereValue(sphere);
  }
  return undefined;
}

function sphereValue(sphere: XmlElement): string | undefined {
  const named = childElements(sphere, RPID_NS)[0];
  if (named !== undefined) return named.name;
  const text = textContent(sphere).trim();
  return text === '' ? undefined : text;
}

/** Whether any rule has a sphere condition: only then does the presentity's sphere change a decision. */
export function usesSphere(ruleset: Ruleset): boolean {
  return ruleset.rules.some((rule) => rule.conditions.sphere.length > 0);
}
