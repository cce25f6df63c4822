import { describe, expect, it } from 'vitest';
import { DistinctPorts, freePort, freeUdpTcpPort } from './free-port.js';

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

describe('DistinctPorts with a memory bound', () => {
  it('forgets the oldest port past the bound, so a long-lived process can be given it again', async () => {
    const ports = new DistinctPorts(2);
    await ports.next(async () => 40001);
    await ports.next(async () => 40002);
    await ports.next(async () => 40003);
    expect(await ports.next(async () => 40001, 1)).toBe(40001);
    await expect(ports.next(async () => 40003, 1)).rejects.toThrow(/after 1 attempts/);
  });
});

describe('freePort and freeUdpTcpPort', () => {
  it('never hand out the same port twice in a row, whichever of them is asked', async () => {
    const drawn = [];
    for (let i = 0; i < 30; i++) drawn.push(await freeUdpTcpPort(), await freePort('tcp'), await freePort('udp'));
    expect(new Set(drawn).size).toBe(drawn.length);
  });
});
