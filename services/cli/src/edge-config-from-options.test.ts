import { parseOptions, UsageError } from '@presence/runtime';
import { createTestCertificate, sharedTestCertificate } from '@presence/testkit';
import { describe, expect, it, onTestFinished } from 'vitest';
import { edgeConfigFromOptions } from './edge-config-from-options.js';
import { STANDALONE_OPTIONS } from './options.js';

const userAgentOf = (argv: string[], env: NodeJS.ProcessEnv = {}) => edgeConfigFromOptions(parseOptions(STANDALONE_OPTIONS, argv, env).values).userAgent;

describe('edge config from options', () => {
  it('server header - unset leaves the default to the edge; a name is used as given; empty or --no-server-header turn it off', () => {
    expect(userAgentOf([])).toBeUndefined();
    expect(userAgentOf(['--server-header', 'acme-presence/2.1 (lab)'])).toBe('acme-presence/2.1 (lab)');
    expect(userAgentOf([], { PRESENCE_SERVER_HEADER: 'from-env/1' })).toBe('from-env/1');
    expect(userAgentOf(['--server-header', ''])).toBe(false);
    expect(userAgentOf([], { PRESENCE_SERVER_HEADER: ' ' })).toBe(false);
    expect(userAgentOf(['--no-server-header'])).toBe(false);
    expect(userAgentOf(['--server-header', 'acme/1', '--no-server-header'])).toBe(false);
    expect(userAgentOf([], { PRESENCE_NO_SERVER_HEADER: 'true' })).toBe(false);
  });

  it('server header - CR or LF is a usage error naming the option', () => {
    expect(() => userAgentOf([], { PRESENCE_SERVER_HEADER: 'a\r\nVia: evil' })).toThrow(/--server-header/);
  });
});

describe('edge config from options: TLS', () => {
  const configOf = (argv: string[]) => edgeConfigFromOptions(parseOptions(STANDALONE_OPTIONS, argv, {}).values);
  const secure = ['--listen', 'udp:127.0.0.1:0,wss:127.0.0.1:0'];

  it('tls - a tls or wss listener requires --tls-cert and --tls-key; they are refused without one', () => {
    const { certFile, keyFile } = sharedTestCertificate();
    expect(() => configOf(secure)).toThrow(/--tls-cert FILE is required by the wss listener in --listen/);
    expect(() => configOf(['--listen', 'tls:127.0.0.1:0', '--tls-cert', certFile])).toThrow(/--tls-key FILE is required by the tls listener/);
    expect(() => configOf(['--listen', 'udp:127.0.0.1:0', '--tls-cert', certFile, '--tls-key', keyFile])).toThrow(UsageError);
  });

  it('tls - an unreadable or unusable file is a usage error naming the option and the file', () => {
    const { certFile, keyFile } = sharedTestCertificate();
    const other = createTestCertificate();
    onTestFinished(() => other.remove());
    expect(() => configOf([...secure, '--tls-cert', '/nonexistent/cert.pem', '--tls-key', keyFile])).toThrow(/--tls-cert \/nonexistent\/cert.pem: cannot read it \(ENOENT\)/);
    expect(() => configOf([...secure, '--tls-cert', keyFile, '--tls-key', keyFile])).toThrow(new RegExp(`--tls-cert ${keyFile}: certificate: `));
    expect(() => configOf([...secure, '--tls-cert', certFile, '--tls-key', certFile])).toThrow(new RegExp(`--tls-key ${certFile}: private key: `));
    expect(() => configOf([...secure, '--tls-cert', certFile, '--tls-key', other.keyFile])).toThrow(/and --tls-key .*: certificate and private key: /);
    expect(() => configOf([...secure, '--tls-cert', certFile, '--tls-key', other.keyFile])).toThrow(UsageError);
  });

  it('tls - the certificate is read for the edge', () => {
    const { certFile, keyFile, cert, key } = sharedTestCertificate();
    expect(configOf([...secure, '--tls-cert', certFile, '--tls-key', keyFile]).tls).toEqual({ cert, key });
    expect(configOf(['--listen', 'udp:127.0.0.1:0']).tls).toBeUndefined();
  });
});

describe('edge config from options: rate limits and overload', () => {
  const protectionOf = (argv: string[]) => edgeConfigFromOptions(parseOptions(STANDALONE_OPTIONS, argv, {}).values).protection;

  it('protection - defaults: 200/s per source, burst 2000, UDP answered 503, no exemption, overload at 500 ms lag or 4000 pending', () => {
    expect(protectionOf([])).toMatchObject({
      rateLimit: 200,
      rateLimitBurst: 2000,
      rateLimitUdp: '503',
      rateLimitExempt: [],
      overloadEventLoopLagMs: 500,
      overloadPending: 4000,
      overloadRetryAfterSeconds: 5,
    });
  });

  it('protection - options are taken as given; the exempt list is split and trimmed', () => {
    const protection = protectionOf(['--rate-limit', '0', '--rate-limit-udp', 'drop', '--rate-limit-exempt', '10.0.0.0/8, ::1', '--overload-pending', '0']);
    expect(protection).toMatchObject({ rateLimit: 0, rateLimitUdp: 'drop', rateLimitExempt: ['10.0.0.0/8', '::1'], overloadPending: 0 });
  });

  it('protection - a bad action or exempt entry is a usage error naming the option and the value', () => {
    expect(() => protectionOf(['--rate-limit-udp', 'reject'])).toThrow(/--rate-limit-udp: "reject" is neither drop nor 503/);
    expect(() => protectionOf(['--rate-limit-exempt', '10.0.0.0/8,example.com'])).toThrow(/--rate-limit-exempt: "example.com" is not an IP address or CIDR block/);
    expect(() => protectionOf(['--rate-limit', '-1'])).toThrow(/--rate-limit/);
  });
});
