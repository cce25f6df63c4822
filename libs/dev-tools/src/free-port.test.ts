import { describe, expect, it } from 'vitest';
import { DistinctPorts } from './free-port.js';

describe('DistinctPorts', () => {
  it('skips a port it already gave when the finder returns it again (the kernel reuses a released ephemeral port)', async () => {
    const found = [40001, 40001, 40001, 40002];
    const ports = new DistinctPorts();
    const find = async (): Promise<number> => found.shift()!;
    expect([await ports.next(find), await ports.next(find)]).toEqual([40001, 40002]);
  });

  it('fails naming the ports given when the finder keeps returning them', async () => {
    const ports = new DistinctPorts();
    await ports.next(async () => 40001);
    await expect(ports.next(async () => 40001, 3)).rejects.toThrow(/distinct from the 1 already given \(40001\) after 3 attempts/);
  });
});
