import { PassThrough } from 'node:stream';
import { ha1ForAll } from '@presence/auth';
import type { Store } from '@presence/core';
import { UsageError } from '@presence/runtime';
import { createMemoryStore } from '@presence/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PasswordInputError } from './password-input.js';
import { type UserCommand, UserCommandError, canonicalAor, listLine, parseUserCommand, runUserCommand, usernameOf } from './user-command.js';

const parse = (...argv: string[]): UserCommand => parseUserCommand(argv, {}) as UserCommand;
const usage = (...argv: string[]): string => {
  try {
    parseUserCommand(argv, {});
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
};

describe('presence user: arguments', () => {
  it('arguments - the action and a canonical AOR; sip: is added when missing, the host lower-cased', () => {
    expect(parse('add', 'sip:alice@Example.COM', '--data-dir', '/d')).toMatchObject({ action: 'add', aor: 'sip:alice@example.com', values: { 'data-dir': '/d' } });
    expect(parse('show', 'alice@example.com').aor).toBe('sip:alice@example.com');
    expect(parse('del', 'sips:alice@example.com:5061;transport=tls').aor).toBe('sip:alice@example.com');
    expect(parse('list', '--limit', '5')).toMatchObject({ action: 'list', values: { limit: 5 } });
    expect(parse('list').aor).toBeUndefined();
    expect(parse('list').values.limit).toBe(1000);
    expect(parseUserCommand(['--help'], {})).toBeUndefined();
    expect(parseUserCommand(['add', '--help'], {})).toBeUndefined();
  });

  it('arguments - options come from the environment too, as for the roles', () => {
    const command = parseUserCommand(['add', 'sip:alice@example.com'], { PRESENCE_DATA_DIR: '/srv/presence', PRESENCE_REALM: 'corp' }) as UserCommand;
    expect(command.values).toMatchObject({ 'data-dir': '/srv/presence', realm: 'corp' });
  });

  it('arguments - usage errors name the problem', () => {
    expect(usage()).toMatch(/a command is needed/);
    expect(usage('frob', 'sip:a@b')).toMatch(/unknown command "frob"/);
    expect(usage('add')).toMatch(/the AOR is missing/);
    expect(usage('add', 'sip:alice@example.com', 'secret')).toMatch(/unexpected argument "secret" \(the password is never given on the command line\)/);
    expect(usage('list', 'sip:alice@example.com')).toMatch(/unexpected argument/);
    expect(usage('add', 'sip:example.com')).toMatch(/sip:example.com has no user part/);
    expect(usage('add', 'sip:alice:secret@example.com')).toMatch(/must not carry a password/);
    expect(usage('add', 'alice:secret@example.com')).toMatch(/must not carry a password/);
    expect(usage('add', 'tel:+15551234')).toMatch(/is not a SIP AOR/);
    expect(usage('add', 'sip:alice@example.com', '--password', 'x')).toMatch(/--password/);
    expect(usage('show', 'sip:alice@example.com', '--realm', 'x')).toMatch(/--realm does not apply \(only to add, passwd\)/);
    expect(usage('add', 'sip:alice@example.com', '--show-ha1')).toMatch(/--show-ha1 does not apply/);
    expect(usage('show', 'sip:alice@example.com', '--limit=3')).toMatch(/--limit does not apply/);
    expect(usage('add', 'sip:alice@example.com', '--enable', '--disable')).toMatch(/not both/);
    expect(usage('add', 'sip:alice@example.com', '--realm', 'a"b')).toMatch(/--realm must be/);
    expect(usage('add', 'sip:alice@example.com', '--realm', '')).toMatch(/--realm must be/);
    expect(usage('add', 'sip:alice@example.com', '--display-name', 'a\nb')).toMatch(/control characters/);
    expect(usage('list', '--limit', '0')).toMatch(/--limit: must be at least 1/);
  });

  it('arguments - the username is the user part of the canonical AOR', () => {
    expect(usernameOf(canonicalAor('add', 'sip:alice.smith@example.com'))).toBe('alice.smith');
    expect(usernameOf(canonicalAor('add', 'sip:%61lice@example.com'))).toBe('alice');
    expect(usernameOf(canonicalAor('add', 'sip:+15551234@example.com;user=phone'))).toBe('+15551234');
  });
});

describe('presence user: commands on a store', () => {
  let store: Store;
  let out: string[];
  let err: string[];
  let passwords: string[];

  const sink = (lines: string[]): NodeJS.WritableStream => {
    const stream = new PassThrough();
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => lines.push(chunk));
    return stream;
  };

  /** Runs the command with each queued password as stdin's first line. */
  async function run(...argv: string[]): Promise<void> {
    const stdin = new PassThrough();
    const password = passwords.shift();
    if (password !== undefined) stdin.end(`${password}\n`);
    else stdin.end();
    await runUserCommand(parse(...argv), { store, password: { stdin, prompts: sink(err) }, out: sink(out), err: sink(err) });
    await new Promise((resolve) => setImmediate(resolve));
  }

  beforeEach(async () => {
    store = await createMemoryStore({ clock: { now: () => 1_800_000_000_000 } });
    out = [];
    err = [];
    passwords = [];
  });

  afterEach(async () => {
    await store.close();
  });

  it('add - stores HA1s of the password for the AOR\'s domain as realm, enabled, never the password', async () => {
    passwords.push('s3cret');
    await run('add', 'sip:alice@example.com', '--display-name', 'Alice');
    expect(await store.user('sip:alice@example.com')).toEqual({
      aor: 'sip:alice@example.com',
      username: 'alice',
      realm: 'example.com',
      ha1: ha1ForAll('alice', 'example.com', 's3cret'),
      displayName: 'Alice',
      enabled: true,
    });
    expect(JSON.stringify(await store.listUsers(10))).not.toContain('s3cret');
    expect(out.join('')).toBe('added sip:alice@example.com (realm example.com, enabled)\n');
  });

  it('add - --realm and --disable; an existing user is a failure, not replaced', async () => {
    passwords.push('one', 'two');
    await run('add', 'sip:bob@example.com', '--realm', 'corp', '--disable');
    expect(await store.user('sip:bob@example.com')).toMatchObject({ realm: 'corp', enabled: false, ha1: ha1ForAll('bob', 'corp', 'one') });
    await expect(run('add', 'sip:bob@example.com')).rejects.toThrow(new UserCommandError('user sip:bob@example.com already exists (passwd changes its password)'));
    expect((await store.user('sip:bob@example.com'))?.ha1).toEqual(ha1ForAll('bob', 'corp', 'one'));
  });

  it('add - no password on stdin, or an empty one, is a failure and adds nothing', async () => {
    await expect(run('add', 'sip:alice@example.com')).rejects.toBeInstanceOf(PasswordInputError);
    passwords.push('');
    await expect(run('add', 'sip:alice@example.com')).rejects.toThrow(/empty password/);
    expect(await store.listUsers(10)).toEqual([]);
  });

  it('passwd - new HA1s for the stored realm, keeping display name and enabled unless told', async () => {
    passwords.push('old', 'new', 'newer');
    await run('add', 'sip:alice@example.com', '--realm', 'corp', '--display-name', 'Alice', '--disable');
    await run('passwd', 'sip:alice@example.com');
    expect(await store.user('sip:alice@example.com')).toMatchObject({ realm: 'corp', displayName: 'Alice', enabled: false, ha1: ha1ForAll('alice', 'corp', 'new') });
    await run('passwd', 'alice@example.com', '--realm', 'example.com', '--enable', '--display-name', '');
    const user = await store.user('sip:alice@example.com');
    expect(user).toMatchObject({ realm: 'example.com', enabled: true, ha1: ha1ForAll('alice', 'example.com', 'newer') });
    expect(user).not.toHaveProperty('displayName');
    await expect(run('passwd', 'sip:nobody@example.com')).rejects.toThrow(new UserCommandError('no user sip:nobody@example.com'));
  });

  it('enable, disable, del - change or remove the user; an unknown one is a failure', async () => {
    passwords.push('pw');
    await run('add', 'sip:alice@example.com');
    const ha1 = (await store.user('sip:alice@example.com'))?.ha1;
    await run('disable', 'sip:alice@example.com');
    expect(await store.user('sip:alice@example.com')).toMatchObject({ enabled: false, ha1 });
    await run('enable', 'sip:alice@example.com');
    expect(await store.user('sip:alice@example.com')).toMatchObject({ enabled: true, ha1 });
    await run('del', 'sip:alice@example.com');
    expect(await store.user('sip:alice@example.com')).toBeUndefined();
    expect(out.join('')).toContain('disabled sip:alice@example.com\nenabled sip:alice@example.com\ndeleted sip:alice@example.com\n');
    await expect(run('del', 'sip:alice@example.com')).rejects.toBeInstanceOf(UserCommandError);
    await expect(run('enable', 'sip:alice@example.com')).rejects.toBeInstanceOf(UserCommandError);
  });

  it('show - one field a line, HA1s only with --show-ha1', async () => {
    passwords.push('pw');
    await run('add', 'sip:alice@example.com', '--display-name', 'Alice A');
    out.length = 0;
    await run('show', 'sip:alice@example.com');
    expect(out.join('')).toBe('aor: sip:alice@example.com\nusername: alice\nrealm: example.com\nenabled: yes\ndisplay name: Alice A\n');
    out.length = 0;
    await run('show', 'sip:alice@example.com', '--show-ha1');
    const ha1 = ha1ForAll('alice', 'example.com', 'pw');
    expect(out.join('')).toContain(`ha1 SHA-256: ${ha1['SHA-256']}\nha1 MD5: ${ha1.MD5}\n`);
    await expect(run('show', 'sip:nobody@example.com')).rejects.toThrow(/no user sip:nobody@example.com/);
  });

  it('list - one tab separated line per user by AOR, cut at --limit with a note on stderr', async () => {
    passwords.push('a', 'b', 'c');
    await run('add', 'sip:carol@example.com');
    await run('add', 'sip:alice@example.com', '--display-name', 'Alice A');
    await run('add', 'sip:bob@example.com', '--realm', 'corp', '--disable');
    out.length = 0;
    await run('list');
    expect(out.join('')).toBe(['sip:alice@example.com\texample.com\tenabled\tAlice A', 'sip:bob@example.com\tcorp\tdisabled\t', 'sip:carol@example.com\texample.com\tenabled\t', ''].join('\n'));
    expect(err).toEqual([]);
    out.length = 0;
    await run('list', '--limit', '2');
    expect(out.join('').split('\n')).toHaveLength(3);
    expect(err.join('')).toBe('presence: only the first 2 users are listed (--limit)\n');
    expect(listLine({ aor: 'sip:x@y', username: 'x', realm: 'y', ha1: { 'SHA-256': '', MD5: '' }, enabled: true })).toBe('sip:x@y\ty\tenabled\t');
  });
});
