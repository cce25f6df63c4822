import { ALLOW_EVERY_WATCHER_ARGS, Children, createTestCertificate, freePort, freeUdpTcpPort, startPresenceProcess } from '@presence/testkit';
import { tortureSuite } from '@presence/testkit/torture';

// The RFC 4475 torture cases against the real `presence standalone` process
// (built dist/) on all five transports; TLS and WSS with a throwaway certificate.
const children = new Children();
tortureSuite('standalone process', async () => {
  const certificate = createTestCertificate();
  const sipPort = await freeUdpTcpPort();
  const [ws, tls, wss] = [await freePort('tcp'), await freePort('tcp'), await freePort('tcp')];
  try {
    const process = await startPresenceProcess(children, 'standalone', 'torture', await freePort('tcp'), [...ALLOW_EVERY_WATCHER_ARGS, 
      '--listen', `udp:127.0.0.1:${sipPort},tcp:127.0.0.1:${sipPort},ws:127.0.0.1:${ws},tls:127.0.0.1:${tls},wss:127.0.0.1:${wss}`,
      '--tls-cert', certificate.certFile, '--tls-key', certificate.keyFile,
      '--domain', 'example.com',
      '--auth', 'none',
      '--sip-t1', '50',
      '--log-level', 'warn',
    ]);
    return {
      process,
      domain: 'example.com',
      ports: { udp: sipPort, tcp: sipPort, tls, ws, wss },
      async stop() {
        await process.stop();
        await children.killAll();
        certificate.remove();
      },
    };
  } catch (error) {
    certificate.remove();
    throw error;
  }
});
