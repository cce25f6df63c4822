import { describe, expect, it } from 'vitest';
import type { Bus } from './bus.js';
import { type BusOperation, reportBusErrors } from './bus-error-reporting.js';
import { BusClosedError } from './errors/bus-errors.js';
import { InvalidSubjectError } from './errors/invalid-subject-error.js';
import { LocalBus } from './memory/local-bus.js';

describe('reportBusErrors', () => {
  it('errors - publish and subscribe that work report nothing and deliver as the bus does', async () => {
    const failures: BusOperation[] = [];
    const bus = reportBusErrors(new LocalBus(), (operation) => void failures.push(operation));
    const seen: string[] = [];
    bus.subscribe('ps.1.x', (message) => void seen.push(Buffer.from(message.data).toString()));
    bus.subscribe('pa.1', (message) => message.respond(new TextEncoder().encode('pong')));
    bus.publish('ps.1.x', new TextEncoder().encode('hello'));
    expect(Buffer.from(await bus.request('pa.1', new Uint8Array(), { timeoutMs: 1000 })).toString()).toBe('pong');
    await bus.close();
    expect(seen).toEqual(['hello']);
    expect(failures).toEqual([]);
  });

  it('hasSubscribers - passed through where the bus can tell, left out where it cannot (callers then publish)', async () => {
    const local = new LocalBus();
    const bus = reportBusErrors(local, () => undefined);
    expect(bus.hasSubscribers?.('ps.1.x')).toBe(false);
    bus.subscribe('ps.1.x', () => undefined);
    expect(bus.hasSubscribers?.('ps.1.x')).toBe(true);
    const { hasSubscribers: _cannotTell, ...blind } = { ...bus };
    expect(reportBusErrors(blind, () => undefined).hasSubscribers).toBeUndefined();
    await local.close();
  });

  it('errors - each publish or subscribe that throws is reported once by its operation, and the caller gets the same error', async () => {
    const failures: Array<[BusOperation, unknown]> = [];
    const inner = new LocalBus();
    const bus = reportBusErrors(inner, (operation, error) => void failures.push([operation, error]));
    expect(() => bus.publish('ps.*', new Uint8Array())).toThrow(InvalidSubjectError);
    await inner.close();
    expect(() => bus.publish('ps.1.x', new Uint8Array())).toThrow(BusClosedError);
    expect(() => bus.subscribe('ps.1.x', () => undefined)).toThrow(BusClosedError);
    await expect(bus.request('pa.1', new Uint8Array(), { timeoutMs: 100 })).rejects.toBeInstanceOf(BusClosedError);
    expect(failures.map(([operation]) => operation)).toEqual(['publish', 'publish', 'subscribe']);
    expect(failures[1]![1]).toBeInstanceOf(BusClosedError);
  });

  it('values - keeps the in-process value hand-over of a bus that has one, and adds none to a bus without', async () => {
    const local = new LocalBus();
    const wrapped = reportBusErrors(local, () => undefined);
    wrapped.subscribe('pa.1', (message) => message.respondValue?.({ got: (message.value as { n: number }).n }, () => new Uint8Array()));
    const never = (): never => {
      throw new Error('nothing is encoded or decoded in-process');
    };
    expect(await wrapped.requestValue?.('pa.1', { n: 7 }, { encode: never, decodeReply: never }, { timeoutMs: 1000 })).toEqual({ got: 7 });
    // A bus that crosses processes (NATS, IPC) has no requestValue: the wrapper must not claim one.
    const crossing: Bus = {
      publish: (subject, data) => local.publish(subject, data),
      subscribe: (subject, handler, options) => local.subscribe(subject, handler, options),
      request: (subject, data, options) => local.request(subject, data, options),
      onReconnect: (listener) => local.onReconnect(listener),
      close: () => local.close(),
    };
    expect(reportBusErrors(crossing, () => undefined).requestValue).toBeUndefined();
    expect(reportBusErrors(crossing, () => undefined).publishValue).toBeUndefined();
    const failures: BusOperation[] = [];
    const reporting = reportBusErrors(local, (operation) => void failures.push(operation));
    expect(() => reporting.publishValue?.('ps.*', { n: 1 }, () => new Uint8Array())).toThrow(InvalidSubjectError);
    expect(failures).toEqual(['publish']);
    await local.close();
  });
});
