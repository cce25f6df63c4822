import { sharedTestCertificate } from '@presence/testkit';
import { describe, expect, it } from 'vitest';
import { createSipStack } from './sip-stack.js';

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));
const resources = (): string[] => process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').sort();
/** Resource types (with multiplicity) present now that were not present in `before`. */
function leftover(before: string[]): string[] {
  const remaining = [...before];
  return resources().filter((r) => {
    const i = remaining.indexOf(r);
    if (i === -1) return true;
    remaining.splice(i, 1);
    return false;
  });
}

describe('lifecycle', () => {
  it('stop - leaves no sockets, servers or timers behind', async () => {
    await settle();
    const before = resources();
    const certificate = sharedTestCertificate();
    const tls = { certificate, trustedCa: certificate.cert };
    const transports = (['udp', 'tcp', 'tls', 'ws', 'wss'] as const).map((transport) => ({ transport, host: '127.0.0.1', port: 0 }));
    const a = createSipStack({ listen: transports, tls, onRequest: () => undefined });
    const b = createSipStack({ listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }], tls, onRequest: (r) => r.respond(200) });
    const [udp, tcp, tlsListener, ws, wss] = await a.start();
    await b.start();
    const req = (n: number) => ({ method: 'OPTIONS', uri: 'sip:a@127.0.0.1', headers: { From: '<sip:b@x>;tag=1', To: '<sip:a@x>', 'Call-ID': `l${n}`, CSeq: '1 OPTIONS' } });
    // leave client transactions pending over every transport (a never answers), plus server ones on a
    const pending = [
      b.sendRequest(req(1), { uri: `sip:127.0.0.1:${udp!.port}` }),
      b.sendRequest(req(2), { uri: `sip:127.0.0.1:${tcp!.port};transport=tcp` }),
      b.sendRequest(req(3), { uri: `sip:127.0.0.1:${ws!.port};transport=ws` }),
      b.sendRequest(req(4), { uri: `sip:127.0.0.1:${tlsListener!.port};transport=tls` }),
      b.sendRequest(req(5), { uri: `sips:127.0.0.1:${wss!.port};transport=ws` }),
    ];
    await new Promise((r) => setTimeout(r, 100));
    expect(resources().length).toBeGreaterThan(before.length + 8);
    await Promise.all([a.stop(), b.stop()]);
    expect((await Promise.all(pending)).map((r) => r.status)).toEqual([503, 503, 503, 503, 503]);
    await new Promise((r) => setImmediate(r));
    expect(leftover(before)).toEqual([]);
  });
});
