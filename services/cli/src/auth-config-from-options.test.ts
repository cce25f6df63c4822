import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOptions } from '@presence/runtime';
import { describe, expect, it } from 'vitest';
import { edgeConfigFromOptions } from './edge-config-from-options.js';
import { EDGE_OPTIONS, STANDALONE_OPTIONS } from './options.js';

const authOf = (argv: string[], env: NodeJS.ProcessEnv = {}) => edgeConfigFromOptions(parseOptions(STANDALONE_OPTIONS, argv, env).values).auth;

describe('auth options', () => {
  it('auth - digest by default for standalone and edge, with the documented defaults', () => {
    expect(authOf([])).toEqual({ realms: new Map(), algorithms: ['SHA-256', 'MD5'], nonceLifetimeMs: 300_000, lockout: { maxFailures: 10, lockoutMs: 300_000 } });
    expect(edgeConfigFromOptions(parseOptions(EDGE_OPTIONS, [], {}).values).auth).not.toBe('none');
  });

  it('auth - realms per domain, nonce lifetime, failures and lockout are read; bad values name the option', () => {
    const auth = authOf(['--realm', 'Example.com=Example Inc, example.org=org', '--nonce-lifetime', '5', '--auth-max-failures', '3', '--auth-lockout', '60']);
    expect(auth).toEqual({
      realms: new Map([['example.com', 'Example Inc'], ['example.org', 'org']]),
      algorithms: ['SHA-256', 'MD5'],
      nonceLifetimeMs: 5000,
      lockout: { maxFailures: 3, lockoutMs: 60_000 },
    });
    expect(() => authOf(['--realm', 'example.com'])).toThrow(/--realm: expected DOMAIN=REALM, got "example.com"/);
    expect(() => authOf(['--realm', 'a=x,a=y'])).toThrow(/--realm: a is given twice/);
    expect(() => authOf(['--realm', 'a=x\u0001'])).toThrow(/--realm: the realm of a holds a quote, backslash or control character/);
    expect(() => authOf(['--realm', 'a=say "hi"'])).toThrow(/--realm: the realm of a holds a quote/);
    expect(() => authOf(['--realm', 'a=x\\y'])).toThrow(/--realm: the realm of a holds a quote/);
    expect(authOf(['--auth-algorithms', 'md5'])).toMatchObject({ algorithms: ['MD5'] });
    expect(authOf(['--auth-algorithms', 'MD5, SHA-256'])).toMatchObject({ algorithms: ['MD5', 'SHA-256'] });
    expect(() => authOf(['--auth-algorithms', 'SHA-512-256'])).toThrow(/--auth-algorithms: expected SHA-256 or MD5, got "SHA-512-256"/);
    expect(() => authOf(['--auth-algorithms', 'MD5,md5'])).toThrow(/--auth-algorithms: MD5 is given twice/);
    expect(() => authOf(['--auth-algorithms', ''])).toThrow(/--auth-algorithms: expected SHA-256 or MD5, got ""/);
    expect(() => authOf(['--auth', 'basic'])).toThrow(/--auth: expected digest or none, got "basic"/);
    expect(() => authOf(['--nonce-lifetime', '0'])).toThrow(/--nonce-lifetime/);
  });

  it('auth - none serves loopback only, unless --insecure', () => {
    expect(authOf(['--auth', 'none'])).toBe('none');
    expect(authOf(['--auth', 'none', '--listen', 'udp:[::1]:5060,tcp:127.0.0.2:5060'])).toBe('none');
    expect(() => authOf(['--auth', 'none', '--listen', 'udp:127.0.0.1:5060,tcp:0.0.0.0:5060'])).toThrow(
      /--auth none: refusing to serve without authentication on tcp:0.0.0.0:5060 \(not loopback\); add --insecure/,
    );
    expect(authOf(['--auth', 'none', '--insecure', '--listen', 'udp:192.0.2.1:5060'])).toBe('none');
    expect(authOf([], { PRESENCE_AUTH: 'none', PRESENCE_INSECURE: 'true', PRESENCE_LISTEN: 'udp:0.0.0.0:5060' })).toBe('none');
  });

  it('auth - --nonce-key-file gives every edge the same key; a missing or short file is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nonce-key-'));
    try {
      const good = join(dir, 'good');
      writeFileSync(good, `${'k'.repeat(40)}\n`);
      expect(authOf(['--nonce-key-file', good])).toMatchObject({ nonceKey: 'k'.repeat(40) });
      const short = join(dir, 'short');
      writeFileSync(short, 'secret');
      expect(() => authOf(['--nonce-key-file', short])).toThrow(/--nonce-key-file: .*short holds 6 characters, at least 32 are needed/);
      expect(() => authOf(['--nonce-key-file', join(dir, 'absent')])).toThrow(/--nonce-key-file: cannot read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
