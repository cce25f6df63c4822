import { sharedTestCertificate } from '@presence/testkit';
import { describe, expect, it } from 'vitest';
import { certificateProblem, clientTlsOptions, serverTlsOptions } from './tls-settings.js';

describe('tls settings', () => {
  it('server - TLS 1.2 at least (RFC 8996), whatever OpenSSL would allow', () => {
    expect(serverTlsOptions(sharedTestCertificate()).minVersion).toBe('TLSv1.2');
  });

  it('client - verifies only with trusted CAs; SNI for names, never for IP literals (RFC 6066 §3)', () => {
    expect(clientTlsOptions('127.0.0.1', undefined)).toMatchObject({ minVersion: 'TLSv1.2', rejectUnauthorized: false, servername: undefined });
    expect(clientTlsOptions('::1', 'CA')).toMatchObject({ rejectUnauthorized: true, ca: 'CA', servername: undefined });
    expect(clientTlsOptions('phone.example.com', undefined).servername).toBe('phone.example.com');
  });

  it('problem - names the part at fault', () => {
    const { cert, key } = sharedTestCertificate();
    expect(certificateProblem({ cert, key })).toBeUndefined();
    expect(certificateProblem({ cert: '', key })).toBe('certificate: empty');
    expect(certificateProblem({ cert: 'garbage', key })).toMatch(/^certificate: /);
    expect(certificateProblem({ cert, key: 'garbage' })).toMatch(/^private key: /);
    expect(certificateProblem({ cert: key, key })).toMatch(/^certificate: /);
  });
});
