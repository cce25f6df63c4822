import { RecentMap, type XcapDocument, type XcapDocumentRef } from '@presence/core';
import { parsePresRules } from '../rules/parse-pres-rules.js';
import { EMPTY_RULESET, type Ruleset } from '../rules/ruleset.js';
import type { SubHandling } from '../rules/sub-handling.js';

/** RFC 5025 §9.1: the application usage of pres-rules documents and their MIME type. */
export const PRES_RULES_AUID = 'pres-rules';
export const PRES_RULES_CONTENT_TYPE = 'application/auth-policy+xml';
/** The document a presentity's rules are read from: `/xcap-root/pres-rules/users/<aor>/index` (issue #12). */
export const PRES_RULES_FILENAME = 'index';

/** What a watcher no rule covers gets unless configured otherwise (issue #12: `--default-sub-handling`). */
export const DEFAULT_SUB_HANDLING: SubHandling = 'confirm';
/** The values `--default-sub-handling` may take: polite-block is a per-watcher choice, not a server default. */
export const DEFAULT_SUB_HANDLING_CHOICES: readonly SubHandling[] = Object.freeze(['confirm', 'allow', 'block']);

export function presRulesRef(presentity: string): XcapDocumentRef {
  return { auid: PRES_RULES_AUID, scope: 'users', owner: presentity, filename: PRES_RULES_FILENAME };
}

/** One presentity's rules as last read, with the entity tag of the document they came from (undefined: no document). */
export interface BookEntry {
  readonly etag: string | undefined;
  readonly ruleset: Ruleset;
  /** The reason the stored document was not usable, when it was not. */
  readonly problem?: string;
}

/**
 * The parsed pres-rules of the presentities an agent owns, parsed once per
 * document version (entity tag) and kept for at most `capacity`
 * presentities, least recently used first out. A stored document that no
 * longer parses (written before a stricter parser, or by hand) counts as
 * no rules, so the configured default applies: the server never grants
 * more than a readable document says. Pure: the caller reads the store and
 * invalidates on the bus announcement of a change.
 */
export class PresRulesBook {
  private readonly entries: RecentMap<string, BookEntry>;

  constructor(capacity: number) {
    this.entries = new RecentMap(capacity);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The rules known for `presentity`, or undefined when they must be read (never read, or invalidated). */
  get(presentity: string): BookEntry | undefined {
    return this.entries.get(presentity);
  }

  /** Records what the store holds for `presentity` (undefined: no document) and returns its rules, reusing the parse when the tag is the same. */
  learn(presentity: string, document: XcapDocument | undefined): BookEntry {
    const known = this.entries.get(presentity);
    if (known !== undefined && document !== undefined && known.etag === document.etag) return known;
    const entry = document === undefined ? { etag: undefined, ruleset: EMPTY_RULESET } : compile(document);
    this.entries.set(presentity, entry);
    return entry;
  }

  /** Forgets `presentity`'s rules after a change, so the next get misses and the caller reads them again. */
  invalidate(presentity: string): void {
    this.entries.delete(presentity);
  }
}

function compile(document: XcapDocument): BookEntry {
  try {
    return { etag: document.etag, ruleset: parsePresRules(document.body) };
  } catch (error) {
    return { etag: document.etag, ruleset: EMPTY_RULESET, problem: error instanceof Error ? error.message : String(error) };
  }
}
