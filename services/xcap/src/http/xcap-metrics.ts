import { Counter, type Registry } from 'prom-client';

/** The XCAP server's metrics, on the process registry. No AOR or path in labels, only method and status class. */
export interface XcapMetrics {
  readonly requests: Counter<'method' | 'class'>;
}

const METHODS = ['GET', 'PUT', 'DELETE', 'other'] as const;
const CLASSES = ['2xx', '3xx', '4xx', '5xx'] as const;

export function createXcapMetrics(registry: Registry): XcapMetrics {
  const requests = new Counter({
    name: 'presence_xcap_requests_total',
    help: 'XCAP requests answered, by method and status class.',
    labelNames: ['method', 'class'] as const,
    registers: [registry],
  });
  for (const method of METHODS) for (const cls of CLASSES) requests.inc({ method, class: cls }, 0);
  return { requests };
}

export function countRequest(metrics: XcapMetrics | undefined, method: string, status: number): void {
  const label = (METHODS as readonly string[]).includes(method) ? method : 'other';
  metrics?.requests.inc({ method: label, class: `${Math.floor(status / 100)}xx` });
}
