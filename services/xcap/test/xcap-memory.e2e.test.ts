import { LocalBus } from '@presence/bus';
import { createSubjects, type XcapChangeEvent } from '@presence/contracts';
import { systemClock } from '@presence/core';
import { silentLogger } from '@presence/runtime';
import { createMemoryStore } from '@presence/store';
import { createXcapServer, openAccess } from '@presence/xcap';
import { afterAll, beforeAll, describe } from 'vitest';
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
