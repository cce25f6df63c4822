import { availableParallelism } from 'node:os';
import { UsageError } from '@presence/runtime';
import { describe, expect, it } from 'vitest';
import { workersFromOptions, workerUdpPort } from './standalone-workers.js';

describe('standalone --workers', () => {
  it('workers - a count from 1 to 64, or auto for one per CPU; 1 by default', () => {
    expect(workersFromOptions({})).toBe(1);
    expect(workersFromOptions({ workers: '1' })).toBe(1);
    expect(workersFromOptions({ workers: ' 4 ' })).toBe(4);
    expect(workersFromOptions({ workers: 'auto' })).toBe(availableParallelism());
  });

  it('workers - anything else is a usage error naming the option and the value', () => {
    for (const bad of ['0', '65', '-1', '1.5', 'two', '']) {
      expect(() => workersFromOptions({ workers: bad }), bad).toThrow(UsageError);
      expect(() => workersFromOptions({ workers: bad }), bad).toThrow(/^--workers: expected an integer from 1 to 64 or "auto"/);
    }
  });

  it('workers - --sip-trace (one pcap file) is refused above one worker, taken with one', () => {
    expect(workersFromOptions({ workers: '1', 'sip-trace': '/tmp/x.pcap' })).toBe(1);
    expect(() => workersFromOptions({ workers: '2', 'sip-trace': '/tmp/x.pcap' })).toThrow(/--sip-trace .*--workers above 1/);
  });

  it('workers - --worker-udp-ports FIRST gives worker i the port FIRST+i, 0 any free port, unset none; refused past port 65535', () => {
    expect(workerUdpPort({}, 1, 2)).toBeUndefined();
    expect(workerUdpPort({ 'worker-udp-ports': 5070 }, 0, 2)).toBe(5070);
    expect(workerUdpPort({ 'worker-udp-ports': 5070 }, 1, 2)).toBe(5071);
    expect(workerUdpPort({ 'worker-udp-ports': 0 }, 1, 2)).toBe(0);
    expect(workersFromOptions({ workers: '2', 'worker-udp-ports': 65_534 })).toBe(2);
    expect(() => workersFromOptions({ workers: '2', 'worker-udp-ports': 65_535 })).toThrow(/^--worker-udp-ports: 65535 \+ 2 workers passes port 65535/);
    expect(workersFromOptions({ workers: '1', 'worker-udp-ports': 65_535 }), 'one process: no worker ports to check').toBe(1);
  });
});
