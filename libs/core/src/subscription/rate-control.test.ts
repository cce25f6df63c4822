import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../errors/catalogue.js';
import { adaptiveTimeoutSeconds, formatRate, negotiateRates, parseRateControl, rateParameters, withoutRateParameters } from './rate-control.js';
import { RateSchedule } from './rate-schedule.js';

const BOUNDS = { policyMaxRate: undefined, keepAliveMaxRate: 0.2, expiresSeconds: 3600 };

describe('parseRateControl', () => {
  it('parseRateControl - reads the three RFC 6446 parameters, whatever their case, among others', () => {
    expect(parseRateControl('presence;id=7;Max-Rate=0.5;min-rate=0.01;adaptive-min-rate=0.02')).toEqual({ maxRate: 0.5, minRate: 0.01, adaptiveMinRate: 0.02 });
    expect(parseRateControl('presence;max-rate=99.9999999999')).toEqual({ maxRate: 99.9999999999 });
  });

  it('parseRateControl - an Event without rate parameters has none (nothing allocated for it)', () => {
    expect(parseRateControl('presence')).toBeUndefined();
    expect(parseRateControl('presence;id=rate')).toBeUndefined();
  });

  it.each([
    ['presence;max-rate=0', 'max-rate must be a rate'],
    ['presence;min-rate=0.00000000000', 'min-rate must be a rate'],
    ['presence;max-rate=100', 'max-rate must be a rate'],
    ['presence;max-rate=1.12345678901', 'max-rate must be a rate'],
    ['presence;adaptive-min-rate=-1', 'adaptive-min-rate must be a rate'],
    ['presence;max-rate=.5', 'max-rate must be a rate'],
    ['presence;max-rate', 'max-rate must be a rate'],
    ['presence;max-rate=1e1', 'max-rate must be a rate'],
    ['presence;max-rate=1;max-rate=2', 'max-rate given more than once'],
  ])('parseRateControl - %s is a 400 naming the parameter', (value, reason) => {
    const attempt = () => parseRateControl(value);
    expect(attempt).toThrow(BadRequestError);
    expect(attempt).toThrow(reason);
  });

  it('withoutRateParameters - keeps the package and other parameters, drops the rates', () => {
    expect(withoutRateParameters('presence;id=7;max-rate=1;MIN-RATE=0.1')).toBe('presence;id=7');
    expect(withoutRateParameters('presence')).toBe('presence');
  });
});

describe('negotiateRates', () => {
  it('negotiateRates - a watcher within every bound gets what it asked', () => {
    expect(negotiateRates({ maxRate: 0.5, minRate: 0.01 }, BOUNDS)).toEqual({ maxRate: 0.5, minRate: 0.01 });
  });

  it('negotiateRates - the local policy lowers max-rate (--notify-min-interval, RFC 6446 REQ7)', () => {
    expect(negotiateRates({ maxRate: 10 }, { ...BOUNDS, policyMaxRate: 0.5 })).toEqual({ maxRate: 0.5 });
  });

  it('negotiateRates - max-rate rises to one NOTIFY before the subscription expires (RFC 6446 §5.3)', () => {
    expect(negotiateRates({ maxRate: 0.0000000001 }, { ...BOUNDS, expiresSeconds: 600 })).toEqual({ maxRate: 0.0016666667 });
  });

  it('negotiateRates - keep-alive rates are bounded by the server and by max-rate (RFC 6446 §6.3, §8)', () => {
    expect(negotiateRates({ minRate: 50 }, BOUNDS)).toEqual({ minRate: 0.2 });
    expect(negotiateRates({ maxRate: 0.1, minRate: 0.15, adaptiveMinRate: 0.19 }, BOUNDS)).toEqual({ maxRate: 0.1, minRate: 0.1, adaptiveMinRate: 0.1 });
    expect(negotiateRates({ adaptiveMinRate: 1 }, { ...BOUNDS, policyMaxRate: 0.05 })).toEqual({ adaptiveMinRate: 0.05 });
  });

  it('negotiateRates - a min-rate not below the adaptive-min-rate is not considered (RFC 6446 §8)', () => {
    expect(negotiateRates({ minRate: 0.1, adaptiveMinRate: 0.1 }, BOUNDS)).toEqual({ adaptiveMinRate: 0.1 });
    expect(negotiateRates({ minRate: 0.01, adaptiveMinRate: 0.1 }, BOUNDS)).toEqual({ minRate: 0.01, adaptiveMinRate: 0.1 });
  });

  it('rateParameters - reflects the applied values in the Subscription-State grammar (RFC 6446 §9.2)', () => {
    expect(rateParameters({ maxRate: 0.5, minRate: 0.0016666667, adaptiveMinRate: 2 })).toBe(';max-rate=0.5;min-rate=0.0016666667;adaptive-min-rate=2');
    expect(rateParameters({})).toBe('');
    expect(formatRate(1 / 3)).toBe('0.3333333333');
  });
});

describe('adaptive minimum rate', () => {
  it('adaptiveTimeoutSeconds - equation (1), and (2) never below 1/max-rate (RFC 6446 §7.4)', () => {
    expect(adaptiveTimeoutSeconds(10, 0.1, 100)).toBeCloseTo(10);
    expect(adaptiveTimeoutSeconds(20, 0.1, 100)).toBeCloseTo(20);
    expect(adaptiveTimeoutSeconds(5, 0.1, 100)).toBeCloseTo(5);
    expect(adaptiveTimeoutSeconds(1, 0.1, 100, 0.05)).toBeCloseTo(20);
  });

  it('RateSchedule - starts at 1/adaptive-min-rate, stretches after a burst of NOTIFYs and shrinks when they stop', () => {
    const now = 1_000_000;
    const schedule = new RateSchedule({ adaptiveMinRate: 0.1 }, now);
    // Step 1: a history of period × rate = 10 NOTIFYs over the last 100 s: timeout = 10 / (0.01 × 100) = 10 s.
    expect(schedule.keepAliveDelayMs(now)).toBeCloseTo(10_000);
    for (let i = 1; i <= 10; i++) schedule.sent(now + i);
    expect(schedule.keepAliveDelayMs(now + 10)).toBeCloseTo(20_000);
    // 100 s on, only the burst is within the period (the initial history aged out); 150 s on, nothing is.
    expect(schedule.keepAliveDelayMs(now + 100_000)).toBeCloseTo(10_000);
    expect(schedule.keepAliveDelayMs(now + 150_000)).toBe(0);
  });

  it('RateSchedule - min-rate bounds the adaptive timeout from above, max-rate is the shortest gap', () => {
    const schedule = new RateSchedule({ maxRate: 0.5, minRate: 0.05, adaptiveMinRate: 0.1 }, 0);
    expect(schedule.minGapMs).toBe(2000);
    for (let i = 0; i < 30; i++) schedule.sent(i);
    expect(schedule.keepAliveDelayMs(30)).toBe(20_000);
    expect(schedule.parameters).toBe(';max-rate=0.5;min-rate=0.05;adaptive-min-rate=0.1');
  });
});
