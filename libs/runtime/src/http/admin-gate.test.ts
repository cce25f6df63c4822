import { describe, expect, it } from 'vitest';
import { adminRefusal, isLoopbackAddress } from './admin-gate.js';

describe('admin gate', () => {
  it('loopback - 127.0.0.0/8, ::1 and IPv4-mapped 127.x are loopback; wildcards and other addresses are not', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', '::FFFF:127.0.0.2']) expect(isLoopbackAddress(address), address).toBe(true);
    for (const address of ['0.0.0.0', '::', '192.0.2.1', '10.0.0.1', '::ffff:192.0.2.1', '2001:db8::1', 'localhost', '']) expect(isLoopbackAddress(address), address).toBe(false);
  });

  it('no token - loopback passes, anything else is 403 naming the address and the option', () => {
    expect(adminRefusal({ token: undefined }, '127.0.0.1', undefined)).toBeUndefined();
    expect(adminRefusal({ token: undefined }, '::1', 'Bearer whatever')).toBeUndefined();
    const refusal = adminRefusal({ token: undefined }, '0.0.0.0', undefined);
    expect(refusal?.status).toBe(403);
    expect(JSON.stringify(refusal?.body)).toContain('0.0.0.0');
    expect(JSON.stringify(refusal?.body)).toContain('--admin-token-file');
  });

  it('token - required everywhere once configured: missing or wrong is 401, the right one passes (case-insensitive scheme)', () => {
    const access = { token: 's3cret-token' };
    for (const address of ['127.0.0.1', '0.0.0.0']) {
      expect(adminRefusal(access, address, undefined)?.status).toBe(401);
      expect(adminRefusal(access, address, 'Bearer wrong')?.status).toBe(401);
      expect(adminRefusal(access, address, 'Bearer s3cret-token-longer')?.status).toBe(401);
      expect(adminRefusal(access, address, 'Basic s3cret-token')?.status).toBe(401);
      expect(adminRefusal(access, address, 'Bearer s3cret-token')).toBeUndefined();
      expect(adminRefusal(access, address, 'bearer s3cret-token ')).toBeUndefined();
    }
  });
});
