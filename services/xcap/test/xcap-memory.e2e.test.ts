import { connect } from 'node:net';
import { LocalBus } from '@presence/bus';
import { createSubjects, type XcapChangeEvent } from '@presence/contracts';
import { systemClock, type Store } from '@presence/core';
import { silentLogger } from '@presence/runtime';
import { createMemoryStore } from '@presence/store';
import { eventually } from '@presence/testkit';
import { createXcapServer, openAccess, type XcapServer } from '@presence/xcap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeChange, xcapConformanceSuite, xcapValidationSuite, type XcapTarget } from './xcap-conformance.js';

/** Standalone's XCAP: memory store and in-process bus, over real HTTP. */
describe('XCAP on the memory store and LocalBus (standalone)', () => {
  let target: XcapTarget;
  beforeAll(async () => {
    const store = await createMemoryStore({ clock: systemClock });
    const bus = new LocalBus({ logger: silentLogger });
    const changes: XcapChangeEvent[] = [];
    bus.subscribe('xcap.>', (message) => {
      changes.push(decodeChange(message.data));
    });
    const server = await createXcapServer({ host: '127.0.0.1', port: 0, store, bus, subjects: createSubjects(), clock: systemClock, logger: silentLogger, authenticator: openAccess });
    const address = await server.start();
    target = {
      baseUrl: `http://127.0.0.1:${address.port}`,
      changes,
      async stop() {
        await server.stop();
        await bus.close();
        await store.close();
      },
    };
  });
  afterAll(() => target.stop());
  xcapConformanceSuite(() => target);
  xcapValidationSuite(() => target);
});

/** The listener's own limits: body size, and a client that never finishes its headers. */
describe('XCAP listener limits', () => {
  let server: XcapServer;
  let store: Store;
  let bus: LocalBus;
  beforeAll(async () => {
    store = await createMemoryStore({ clock: systemClock });
    bus = new LocalBus({ logger: silentLogger });
    server = await createXcapServer({ host: '127.0.0.1', port: 0, store, bus, subjects: createSubjects(), clock: systemClock, logger: silentLogger, authenticator: openAccess, maxBodyBytes: 4096, headersTimeoutMs: 300 });
    await server.start();
  });
  afterAll(async () => {
    await server.stop();
    await bus.close();
    await store.close();
  });

  it('a body past the limit is 413 and nothing is stored', async () => {
    const url = `http://127.0.0.1:${server.port}/xcap-root/resource-lists/users/sip:big@example.com/index`;
    const body = `<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list name="${'x'.repeat(5000)}"/></resource-lists>`;
    const answer = await fetch(url, { method: 'PUT', body, headers: { 'Content-Type': 'application/resource-lists+xml' } });
    expect(answer.status).toBe(413);
    expect((await fetch(url)).status).toBe(404);
  });

  it('a connection whose headers never end is closed after the header timeout (slow-loris)', async () => {
    const socket = connect(server.port, '127.0.0.1');
    let closed = false;
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined);
    socket.write('GET /xcap-root/xcap-caps/global/index HTTP/1.1\r\nHost: x\r\n');
    await eventually(() => expect(closed).toBe(true), { timeoutMs: 15_000, intervalMs: 50 });
  });

  it('stop() drains: a request in flight when it begins is still answered, new connections are refused', async () => {
    const drained = await createXcapServer({ host: '127.0.0.1', port: 0, store, bus, subjects: createSubjects(), clock: systemClock, logger: silentLogger, authenticator: openAccess });
    const { port } = await drained.start();
    const body = '<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"/>';
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    socket.write(`PUT /xcap-root/resource-lists/users/sip:drain@example.com/index HTTP/1.1\r\nHost: x\r\nContent-Type: application/resource-lists+xml\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
    await eventually(() => expect(drained.requestsInFlight).toBe(1));
    const stopping = drained.stop();
    socket.write(body.slice(10));
    await stopping;
    await eventually(() => expect(answer).toMatch(/^HTTP\/1\.1 201 /));
    await expect(fetch(`http://127.0.0.1:${port}/xcap-root/xcap-caps/global/index`)).rejects.toThrow();
    socket.destroy();
  });
});
