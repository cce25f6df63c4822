import { Counter, Gauge, type Registry } from 'prom-client';

/** The SIP transports (libs/sip TransportName); metrics import no SIP. */
const TRANSPORTS = ['udp', 'tcp', 'tls', 'ws', 'wss'] as const;
/** What an over-limit request gets: 503 + Retry-After (reject), or nothing (drop, UDP only). */
const RATE_LIMIT_ACTIONS = ['reject', 'drop'] as const;
/** The signals that put an edge in overload mode. */
const OVERLOAD_CAUSES = ['event_loop_lag', 'pending'] as const;
/** Methods that create work out of a dialog, refused in overload mode; any other is "other". */
const REFUSED_METHODS = ['REGISTER', 'PUBLISH', 'SUBSCRIBE', 'OPTIONS', 'MESSAGE', 'other'] as const;

/**
 * The rate-limit and overload metrics of the edge (README "Rate limits and
 * overload"), every series at 0 from the start so a dashboard and an alert
 * see each before it first bites.
 */
export function protectionMetrics(prefix: string, registers: Registry[]) {
  const rateLimited = new Counter({
    name: `${prefix}rate_limited_total`,
    help: 'New requests over their source address\'s rate limit (--rate-limit), by transport and action (reject: 503 + Retry-After, drop: no answer)',
    labelNames: ['transport', 'action'],
    registers,
  });
  for (const transport of TRANSPORTS) for (const action of RATE_LIMIT_ACTIONS) rateLimited.inc({ transport, action }, 0);
  const overloadEntries = new Counter({ name: `${prefix}overload_entries_total`, help: 'Times overload mode was entered, by the signal that crossed its bound', labelNames: ['cause'], registers });
  for (const cause of OVERLOAD_CAUSES) overloadEntries.inc({ cause }, 0);
  const overloadRefusals = new Counter({
    name: `${prefix}overload_refusals_total`,
    help: 'Requests refused with 503 + Retry-After because the edge was in overload mode, by method',
    labelNames: ['method'],
    registers,
  });
  for (const method of REFUSED_METHODS) overloadRefusals.inc({ method }, 0);
  const overloadActive = new Gauge({ name: `${prefix}overload_active`, help: '1 while the edge is in overload mode (new dialogs and out-of-dialog requests get 503), else 0', registers });
  overloadActive.set(0);
  const rateLimitSources = new Gauge({ name: `${prefix}rate_limit_sources`, help: 'Source addresses the per-source rate limiter tracks a token bucket for', registers });
  rateLimitSources.set(0);
  const eventLoopLag = new Gauge({ name: `${prefix}event_loop_lag_seconds`, help: 'Event-loop lag the overload detector last measured (timer drift)', registers });
  eventLoopLag.set(0);
  return { rateLimited, rateLimitSources, overloadActive, overloadEntries, overloadRefusals, eventLoopLag };
}
