import { type PidfDocument, type PidfLimits, defaultPidfLimits, parsePidf, renderPidf } from '@presence/pidf';
import { EVERYTHING_PROVIDED, type Transformations, viewKey } from '../rules/transformations.js';
import { applyTransformations, politeBlockDocument } from './apply-transformations.js';

/** The part of an AuthorizationDecision a view depends on. */
export interface ViewRequest {
  readonly transformations: Transformations;
  readonly viewKey: string;
}

export interface PresentityViewsOptions {
  /** Distinct views kept per document version; beyond it a view is rendered each time (still right, only slower). */
  readonly maxViews: number;
  /** Bounds for parsing the composed document; a composed one may hold several publications. */
  readonly limits?: PidfLimits;
}

const EVERYTHING_KEY = viewKey(EVERYTHING_PROVIDED);
/** One object for every presentity (a copy each cost ~100 bytes per watched presentity): a composed document may hold several publications. */
const COMPOSED_LIMITS: PidfLimits = Object.freeze({ ...defaultPidfLimits, maxBytes: 1024 * 1024, maxElements: 20_000 });

/**
 * The rendered views of one presentity's current document, so the fan-out
 * renders once per (document version, distinct view) instead of once per
 * watcher (issue #12). A new version drops the old views. The whole-document
 * view is the composed document itself, untouched and never parsed, so a
 * presentity whose watchers all see everything costs what it did before
 * authorization. Pure: no I/O, no clock.
 */
export class PresentityViews {
  private version: number | undefined;
  private document = '';
  private parsed: PidfDocument | undefined;
  private unparsable = false;
  /** Made at the first restricted view kept: most presentities' watchers all see the whole document (an empty Map is ~180 bytes). */
  private views: Map<string, string> | undefined = undefined;
  private readonly limits: PidfLimits;

  constructor(
    readonly presentity: string,
    private readonly options: PresentityViewsOptions,
  ) {
    if (!Number.isSafeInteger(options.maxViews) || options.maxViews < 0) throw new RangeError(`maxViews must be a non-negative integer, got ${options.maxViews}`);
    this.limits = options.limits ?? COMPOSED_LIMITS;
  }

  /** Distinct views rendered and kept for the current version. */
  get cachedViews(): number {
    return this.views?.size ?? 0;
  }

  /**
   * The watcher's document for `version` of the presentity's composed
   * `document` ('' when nothing is published). A composed document that
   * does not parse shows as the offline document: failing closed never
   * reveals what the rules would hide.
   */
  viewOf(version: number, document: string, request: ViewRequest): string {
    if (version !== this.version || document !== this.document) this.reset(version, document);
    if (document === '') return politeBlockDocument(this.presentity);
    if (request.viewKey === EVERYTHING_KEY) return document;
    const cached = this.views?.get(request.viewKey);
    if (cached !== undefined) return cached;
    const parsed = this.parse();
    const rendered = parsed === undefined ? politeBlockDocument(this.presentity) : renderPidf(applyTransformations(parsed, request.transformations));
    if (this.cachedViews < this.options.maxViews) (this.views ??= new Map()).set(request.viewKey, rendered);
    return rendered;
  }

  /** What a politely blocked watcher of this presentity sees, whatever the version. */
  politeBlock(): string {
    return politeBlockDocument(this.presentity);
  }

  private parse(): PidfDocument | undefined {
    if (this.parsed === undefined && !this.unparsable) {
      try {
        this.parsed = parsePidf(this.document, this.limits);
      } catch {
        this.unparsable = true;
      }
    }
    return this.parsed;
  }

  private reset(version: number, document: string): void {
    this.version = version;
    this.document = document;
    this.parsed = undefined;
    this.unparsable = false;
    this.views?.clear();
  }
}
