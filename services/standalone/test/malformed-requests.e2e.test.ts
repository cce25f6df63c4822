import { ALLOW_EVERY_WATCHER_ARGS, Children, freePort, freeUdpTcpPort, startPresenceProcess } from '@presence/testkit';
import { DOMAIN, malformedRequestSuite } from '@presence/testkit/behaviour';

// The real `presence standalone` process (built dist/): a request that stops it fails the suite.
const children = new Children();
malformedRequestSuite('standalone process', async () => {
  const sipPort = await freeUdpTcpPort();
  const process = await startPresenceProcess(children, 'standalone', 'malformed', await freePort('tcp'), [...ALLOW_EVERY_WATCHER_ARGS, 
    '--listen', `udp:127.0.0.1:${sipPort},tcp:127.0.0.1:${sipPort}`,
    '--domain', DOMAIN,
    '--auth', 'none',
    '--log-level', 'warn',
  ]);
  return {
    sipPort,
    process,
    async stop() {
      await process.stop();
      await children.killAll();
    },
  };
});
