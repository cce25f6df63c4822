import type { Clock } from '@presence/core';
import type { PresenceMetrics } from '@presence/metrics';
import type { Logger } from '@presence/runtime';
import { SIP_METHODS, type RequestScreen, type ScreenedRequest, type ScreenVerdict } from '@presence/sip';
import { sampleEventLoopLag } from './event-loop-lag.js';
import { OverloadDetector } from './overload-detector.js';
import { rateLimitKey, sourceAddress, SourceSet } from './source-address.js';
import { SourceRateLimiter } from './source-rate-limiter.js';

/** Per-source rate limits and overload mode (README "Rate limits and overload"). */
export interface ProtectionConfig {
  /** Requests per second per source address; 0 turns the limit off. */
  readonly rateLimit: number;
  readonly rateLimitBurst: number;
  /** What an over-limit UDP source gets; stream transports always get 503 + Retry-After. */
  readonly rateLimitUdp: 'drop' | '503';
  /** CIDR blocks (or addresses) never rate limited, e.g. an SBC. */
  readonly rateLimitExempt: readonly string[];
  /** Buckets tracked at most (least recently seen forgotten first). */
  readonly rateLimitMaxSources: number;
  /** Event-loop lag (ms) that starts overload mode; 0 = not watched. */
  readonly overloadEventLoopLagMs: number;
  /** Requests read and not yet settled that start overload mode; 0 = not watched. */
  readonly overloadPending: number;
  /** Retry-After (s) of overload refusals. */
  readonly overloadRetryAfterSeconds: number;
  /** Time both signals must stay below half their bound before overload mode ends. */
  readonly overloadHoldMs: number;
}

/** How often the event loop's lag (and the pending count, when no request comes) is sampled. */
const SAMPLE_INTERVAL_MS = 100;

/**
 * The edge's screen of new requests (libs/sip request-screen.ts), applied
 * before any work: first the source's token bucket, then overload mode,
 * which refuses what would create state or work out of a dialog and lets
 * everything inside one flow. Responses and ACKs never reach a screen.
 */
export class RequestGuard {
  private readonly limiter: SourceRateLimiter | undefined;
  private readonly exempt: SourceSet;
  private readonly overload: OverloadDetector;
  private readonly stopSampling: () => void;
  private readonly stopRendering: () => void;

  constructor(
    private readonly config: ProtectionConfig,
    private readonly clock: Clock,
    private readonly metrics: PresenceMetrics,
    logger: Logger,
    /** Requests read and not yet settled (the SIP stack's figure). */
    pending: () => number,
  ) {
    this.limiter = config.rateLimit > 0 ? new SourceRateLimiter({ perSecond: config.rateLimit, burst: config.rateLimitBurst, maxSources: config.rateLimitMaxSources }) : undefined;
    this.exempt = new SourceSet(config.rateLimitExempt);
    this.overload = new OverloadDetector(
      { maxEventLoopLagMs: config.overloadEventLoopLagMs, maxPending: config.overloadPending, holdMs: config.overloadHoldMs },
      (cause, value) => {
        metrics.overloadEntries.inc({ cause });
        logger.warn({ cause, value }, 'overload mode: new dialogs and out-of-dialog requests get 503 until it eases');
      },
    );
    this.stopSampling = sampleEventLoopLag(SAMPLE_INTERVAL_MS, (lagMs) => {
      const now = clock.now();
      metrics.eventLoopLag.set(lagMs / 1000);
      this.overload.observeEventLoopLag(lagMs, now);
      this.overload.observePending(pending(), now);
      metrics.overloadActive.set(this.overload.active ? 1 : 0);
    });
    this.stopRendering = metrics.onRender(() => metrics.rateLimitSources.set(this.limiter?.sources ?? 0));
  }

  readonly screen: RequestScreen = (request) => this.rateLimited(request) ?? this.overloaded(request);

  stop(): void {
    this.stopSampling();
    this.stopRendering();
  }

  private rateLimited(request: ScreenedRequest): ScreenVerdict {
    if (this.limiter === undefined) return undefined;
    const source = sourceAddress(request.remoteAddress);
    if (this.exempt.has(source)) return undefined;
    const waitS = this.limiter.take(rateLimitKey(source), this.clock.now());
    if (waitS === 0) return undefined;
    const drop = request.transport === 'udp' && this.config.rateLimitUdp === 'drop';
    this.metrics.rateLimited.inc({ transport: request.transport, action: drop ? 'drop' : 'reject' });
    return drop ? 'drop' : { retryAfterS: waitS, reason: 'Rate Limit Exceeded' };
  }

  private overloaded(request: ScreenedRequest): ScreenVerdict {
    this.overload.observePending(request.pending, this.clock.now());
    if (!this.overload.active || !createsWork(request)) return undefined;
    this.metrics.overloadActive.set(1);
    this.metrics.overloadRefusals.inc({ method: SIP_METHODS.has(request.method) ? request.method : 'other' });
    return { retryAfterS: this.config.overloadRetryAfterSeconds, reason: 'Overloaded' };
  }
}

/**
 * What overload mode refuses: a request that would start state or work of
 * its own — one out of a dialog (no To tag: an initial SUBSCRIBE, a
 * REGISTER, an initial PUBLISH, OPTIONS, MESSAGE). In-dialog requests (a
 * SUBSCRIBE refresh or unsubscribe) flow, and so do CANCELs (they end work)
 * and PUBLISH refreshes (SIP-If-Match, RFC 3903 §4.4): refusing a refresh
 * would let the publication lapse, NOTIFY every watcher and bring a new
 * initial PUBLISH later — more work, not less.
 */
export function createsWork(request: ScreenedRequest): boolean {
  if (request.method === 'CANCEL') return false;
  if (request.method === 'PUBLISH' && request.has('sip-if-match')) return false;
  return !request.inDialog();
}
