import { freeUdpTcpPort } from '@presence/dev-tools';
import type { TransportName } from '../transport/channel.js';
import type { BenchTarget } from './bench-target.js';
import { requireStreamOrDatagram } from './standalone-target.js';

/** The shape of loadtest/src/reference/kamailio.ts (written separately). */
interface KamailioModule {
  startKamailio(options: { sipPort: number; host?: string; sharedMemoryMb?: number }): Promise<{ host: string; port: number; pid: number; stop(): Promise<void> }>;
  sharedMemoryMbFor(subscriptions: number, publishRate?: number, watchers?: number): number;
}

/**
 * Kamailio's presence server as the reference. Imported at run time so the
 * bench builds and runs its other modes while the reference is absent.
 */
export async function startKamailioTarget(load: { subscriptions: number; publishRate: number; watchers: number }): Promise<BenchTarget> {
  const module = await loadReference();
  // Sized for the transactions in flight at the top rate too, not only the population: see sharedMemoryMbFor.
  const sharedMemoryMb = module.sharedMemoryMbFor(load.subscriptions, load.publishRate, load.watchers);
  const kamailio = await module.startKamailio({ sipPort: await freeUdpTcpPort(), host: '127.0.0.1', sharedMemoryMb });
  return {
    kind: 'kamailio',
    label: 'kamailio',
    endpoints: (transport: TransportName) => {
      requireStreamOrDatagram('kamailio', transport);
      return [{ host: kamailio.host, port: kamailio.port }];
    },
    // Kamailio forks workers that share memory: /proc PSS over its process tree counts shared pages once.
    probes: [{ name: 'kamailio', pid: kamailio.pid }],
    stop: () => kamailio.stop(),
  };
}

async function loadReference(): Promise<KamailioModule> {
  // A variable specifier keeps tsc from resolving the module at build time.
  const specifier = '../reference/kamailio.js';
  let module: Partial<KamailioModule>;
  try {
    module = (await import(specifier)) as Partial<KamailioModule>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes('reference/kamailio')) {
      throw new Error('--mode kamailio needs loadtest/src/reference/kamailio.ts (startKamailio), which is not there yet: build it, then `npm run build`');
    }
    throw error;
  }
  if (typeof module.startKamailio !== 'function' || typeof module.sharedMemoryMbFor !== 'function') throw new Error('loadtest/src/reference/kamailio.ts does not export startKamailio() and sharedMemoryMbFor()');
  return module as KamailioModule;
}
