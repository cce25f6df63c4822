import { BadRequestError } from '../errors/catalogue.js';

/*
 * RFC 6446 event notification rate control: the Event parameters a
 * subscriber asks with, and the values the notifier settles on (reflected in
 * the Subscription-State of its NOTIFYs, §5.2, §6.2, §7.2). Pure: no clock,
 * no I/O; the edge's notifier applies the result.
 */

/** Rates in notifications per second, as the SUBSCRIBE's Event header asked (each absent when not asked). */
export interface RequestedRates {
  readonly maxRate?: number;
  readonly minRate?: number;
  readonly adaptiveMinRate?: number;
}

/** What the notifier applies: the same three rates after its policy (RFC 6446 REQ7) and the §8 combination rules. */
export type NegotiatedRates = RequestedRates;

export interface RateBounds {
  /** Local policy maximum rate (--notify-min-interval), notifications per second; undefined: none. */
  readonly policyMaxRate: number | undefined;
  /** The highest min-rate / adaptive-min-rate honoured (--notify-keepalive-min-interval): keep-alive NOTIFYs are work the watcher orders. */
  readonly keepAliveMaxRate: number;
  /** The granted subscription duration, seconds (RFC 6446 §5.3). */
  readonly expiresSeconds: number;
}

const PARAMETERS = { 'max-rate': 'maxRate', 'min-rate': 'minRate', 'adaptive-min-rate': 'adaptiveMinRate' } as const;
type ParameterName = keyof typeof PARAMETERS;

/** RFC 6446 §9.2: 1*2DIGIT ["." 1*10DIGIT], and §5.1/§6.1/§7.1: zero is not allowed. */
const RATE_VALUE = /^\d{1,2}(?:\.\d{1,10})?$/;
const SMALLEST = 1e-10;
const LARGEST = 99.9999999999;

/**
 * The rate parameters of an Event header value (RFC 6446 §9.2); undefined
 * when it carries none, so a watcher that does not ask costs nothing.
 * @throws BadRequestError (400) naming the parameter that is malformed, zero, or repeated.
 */
export function parseRateControl(eventValue: string): RequestedRates | undefined {
  if (!/rate/i.test(eventValue)) return undefined;
  const rates: { -readonly [K in keyof RequestedRates]: number } = {};
  let found = false;
  for (const raw of eventValue.split(';').slice(1)) {
    const equals = raw.indexOf('=');
    const name = (equals < 0 ? raw : raw.slice(0, equals)).trim().toLowerCase() as ParameterName;
    const field = PARAMETERS[name];
    if (field === undefined) continue;
    const value = equals < 0 ? '' : raw.slice(equals + 1).trim();
    if (rates[field] !== undefined) throw new BadRequestError(`Bad Event: ${name} given more than once`);
    const rate = RATE_VALUE.test(value) ? Number(value) : 0;
    if (rate < SMALLEST) throw new BadRequestError(`Bad Event: ${name} must be a rate from 0.0000000001 to 99.9999999999 notifications per second (RFC 6446 §9.2)`);
    rates[field] = rate;
    found = true;
  }
  return found ? rates : undefined;
}

/** The Event header value less its rate parameters: the rates travel in Subscription-State, the rest is echoed (RFC 6665 §8.2.1). */
export function withoutRateParameters(eventValue: string): string {
  if (!/rate/i.test(eventValue)) return eventValue;
  return eventValue
    .split(';')
    .filter((part, index) => index === 0 || !(part.split('=')[0]!.trim().toLowerCase() in PARAMETERS))
    .join(';');
}

/**
 * The rates applied (RFC 6446 §5.3, §6.3, §7.3, §8): the server lowers what
 * its policy cannot give, max-rate rises so that one NOTIFY can still come
 * before the subscription expires, min-rate and adaptive-min-rate never
 * exceed max-rate, and a min-rate not below the adaptive-min-rate is not
 * considered. Every value is rounded to the grammar's ten decimals, so what
 * is reflected is what is applied.
 */
export function negotiateRates(requested: RequestedRates, bounds: RateBounds): NegotiatedRates {
  let maxRate = requested.maxRate;
  if (maxRate !== undefined) {
    if (bounds.policyMaxRate !== undefined) maxRate = Math.min(maxRate, bounds.policyMaxRate);
    if (bounds.expiresSeconds > 0) maxRate = Math.max(maxRate, 1 / bounds.expiresSeconds);
    maxRate = rounded(maxRate);
  }
  const ceiling = Math.min(bounds.keepAliveMaxRate, maxRate ?? Infinity, bounds.policyMaxRate ?? Infinity);
  const adaptiveMinRate = requested.adaptiveMinRate === undefined ? undefined : rounded(Math.min(requested.adaptiveMinRate, ceiling));
  const considered = requested.minRate !== undefined && (requested.adaptiveMinRate === undefined || requested.minRate < requested.adaptiveMinRate);
  const minRate = considered ? rounded(Math.min(requested.minRate!, ceiling)) : undefined;
  return {
    ...(maxRate === undefined ? {} : { maxRate }),
    ...(minRate === undefined ? {} : { minRate }),
    ...(adaptiveMinRate === undefined ? {} : { adaptiveMinRate }),
  };
}

/** `;max-rate=…;min-rate=…;adaptive-min-rate=…` for the Subscription-State header (RFC 6446 §9.2 subexp-params). */
export function rateParameters(rates: NegotiatedRates): string {
  let text = '';
  if (rates.maxRate !== undefined) text += `;max-rate=${formatRate(rates.maxRate)}`;
  if (rates.minRate !== undefined) text += `;min-rate=${formatRate(rates.minRate)}`;
  if (rates.adaptiveMinRate !== undefined) text += `;adaptive-min-rate=${formatRate(rates.adaptiveMinRate)}`;
  return text;
}

/** A rate in the grammar of §9.2: at most two integer digits, at most ten decimals, never zero. */
export function formatRate(rate: number): string {
  const text = rounded(rate).toFixed(10);
  // Trailing zeros (and a bare point) dropped by hand: ten decimals always leave a point to stop at.
  let end = text.length;
  while (text[end - 1] === '0') end--;
  if (text[end - 1] === '.') end--;
  return text.slice(0, end);
}

function rounded(rate: number): number {
  return Math.min(LARGEST, Math.max(SMALLEST, Math.round(rate * 1e10) / 1e10));
}

/**
 * RFC 6446 §7.4, equation (1), or (2) with a max-rate: the seconds to the
 * next NOTIFY, from how many were sent during the last `periodSeconds`.
 */
export function adaptiveTimeoutSeconds(count: number, adaptiveMinRate: number, periodSeconds: number, maxRate?: number): number {
  const timeout = count / (adaptiveMinRate * adaptiveMinRate * periodSeconds);
  return maxRate === undefined ? timeout : Math.max(1 / maxRate, timeout);
}
