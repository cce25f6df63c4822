import { SourceSet, type ProtectionConfig } from '@presence/edge';
import { UsageError, type OptionValues } from '@presence/runtime';

/** Buckets the rate limiter keeps at most: about 10 MB, bounded whatever a spoofed-source flood sends. */
const RATE_LIMIT_MAX_SOURCES = 65_536;
/** How long overload signals must stay below half their bound before overload mode ends. */
const OVERLOAD_HOLD_MS = 2000;

/** PROTECTION_OPTIONS as the edge takes them (edge and standalone roles), naming the option at fault. */
export function protectionConfigFromOptions(values: OptionValues): ProtectionConfig {
  const udp = values['rate-limit-udp'] as string;
  if (udp !== 'drop' && udp !== '503') throw new UsageError(`--rate-limit-udp: "${udp}" is neither drop nor 503`);
  const exempt = (values['rate-limit-exempt'] as string)
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  try {
    new SourceSet(exempt);
  } catch (error) {
    throw new UsageError(`--rate-limit-exempt: ${(error as Error).message}`);
  }
  return {
    rateLimit: values['rate-limit'] as number,
    rateLimitBurst: values['rate-limit-burst'] as number,
    rateLimitUdp: udp,
    rateLimitExempt: exempt,
    rateLimitMaxSources: RATE_LIMIT_MAX_SOURCES,
    overloadEventLoopLagMs: values['overload-event-loop-lag'] as number,
    overloadPending: values['overload-pending'] as number,
    overloadRetryAfterSeconds: values['overload-retry-after'] as number,
    overloadHoldMs: OVERLOAD_HOLD_MS,
  };
}
