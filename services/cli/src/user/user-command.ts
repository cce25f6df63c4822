import { ha1ForAll } from '@presence/auth';
import { aorDomain, normalizeAor, type UserRecord, type UserStore } from '@presence/core';
import { parseOptions, renderHelp, UsageError, type OptionValues } from '@presence/runtime';
import { USER_OPTIONS } from '../options.js';
import { readNewPassword, type PasswordInput } from './password-input.js';

export const USER_ACTIONS = ['add', 'passwd', 'enable', 'disable', 'del', 'show', 'list'] as const;
export type UserAction = (typeof USER_ACTIONS)[number];

/** Options given on the command line that an action does not use are refused, so a typo'd intent is not silently ignored. */
const APPLIES_TO: Readonly<Record<string, readonly UserAction[]>> = {
  realm: ['add', 'passwd'],
  'display-name': ['add', 'passwd'],
  enable: ['add', 'passwd'],
  disable: ['add', 'passwd'],
  'show-ha1': ['show'],
  limit: ['list'],
};

export const USER_SUMMARY = 'manage the users who may authenticate (digest): add, passwd, enable, disable, del, show, list';

export function userUsage(): string {
  return [
    'usage: presence user add|passwd|enable|disable|del|show AOR [options]',
    '       presence user list [options]',
    '',
    'Manages the users who may authenticate, in the store the roles use: --data-dir DIR',
    '(a standalone server\'s, which may be running: it picks a change up within about a',
    'second) or --redis URL [--prefix NAME] (a cluster\'s). A record keeps HA1 for SHA-256',
    'and MD5, never the password. The password is asked twice without echo on a terminal,',
    'or read from the first line of stdin when stdin is not a terminal; never from the',
    'command line. AOR: sip:USER@DOMAIN (or USER@DOMAIN); USER is the digest username.',
    '',
    'Commands:',
    '  add AOR       create a user: --realm (default the AOR\'s domain), --display-name, --disable',
    '  passwd AOR    set a new password; --realm, --display-name, --enable/--disable also apply',
    '  enable AOR    let a disabled user authenticate again (the password stays)',
    '  disable AOR   refuse a user, answered as an unknown one, without deleting it',
    '  del AOR       delete a user',
    '  show AOR      print a user; the HA1s only with --show-ha1',
    '  list          one line per user, tab separated: AOR, realm, enabled|disabled, display name',
    '',
    'Exit status: 0 done, 1 failed (no such user, user exists, store unreachable...), 2 usage error.',
  ].join('\n');
}

export function userHelp(): string {
  return renderHelp(userUsage(), USER_OPTIONS);
}

export interface UserCommand {
  readonly action: UserAction;
  /** Canonical AOR (normalizeAor); absent for list. */
  readonly aor?: string;
  readonly values: OptionValues;
}

/**
 * `presence user ACTION [AOR] [options]` into a command, or a UsageError
 * naming the problem; `undefined` when help was asked for.
 */
export function parseUserCommand(argv: readonly string[], env: NodeJS.ProcessEnv): UserCommand | undefined {
  const parsed = parseOptions(USER_OPTIONS, argv, env);
  if (parsed.help) return undefined;
  const [actionName, ...operands] = parsed.positionals;
  if (actionName === undefined) throw new UsageError(`user: a command is needed: ${USER_ACTIONS.join(', ')}`);
  if (!(USER_ACTIONS as readonly string[]).includes(actionName)) throw new UsageError(`user: unknown command "${actionName}" (one of ${USER_ACTIONS.join(', ')})`);
  const action = actionName as UserAction;
  for (const [option, actions] of Object.entries(APPLIES_TO)) {
    if (!actions.includes(action) && givenOnCommandLine(argv, option)) throw new UsageError(`user ${action}: --${option} does not apply (only to ${actions.join(', ')})`);
  }
  if (parsed.values.enable === true && parsed.values.disable === true) throw new UsageError(`user ${action}: give --enable or --disable, not both`);
  const realm = parsed.values.realm as string | undefined;
  if (realm !== undefined && !/^[^"\\\u0000-\u001f\u007f]+$/.test(realm)) throw new UsageError(`user ${action}: --realm must be non-empty, without quotes, backslashes or control characters`);
  const displayName = parsed.values['display-name'] as string | undefined;
  if (displayName !== undefined && /[\u0000-\u001f\u007f]/.test(displayName)) throw new UsageError(`user ${action}: --display-name must not hold control characters`);
  if (action === 'list') {
    if (operands.length > 0) throw new UsageError(`user list: unexpected argument "${operands[0]}"`);
    return { action, values: parsed.values };
  }
  if (operands.length === 0) throw new UsageError(`user ${action}: the AOR is missing (sip:USER@DOMAIN)`);
  if (operands.length > 1) throw new UsageError(`user ${action}: unexpected argument "${operands[1]}" (the password is never given on the command line)`);
  return { action, aor: canonicalAor(action, operands[0] as string), values: parsed.values };
}

function givenOnCommandLine(argv: readonly string[], option: string): boolean {
  return argv.some((arg) => arg === `--${option}` || arg.startsWith(`--${option}=`));
}

/** normalizeAor of the operand (`sip:` added when it has no scheme); refuses one without a user part or carrying a password. */
export function canonicalAor(action: string, operand: string): string {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(operand)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'sip' && scheme !== 'sips' && !/^[^@]*:[^@]*@/.test(operand)) {
    throw new UsageError(`user ${action}: "${operand}" is not a SIP AOR (sip:USER@DOMAIN)`);
  }
  const uri = scheme === 'sip' || scheme === 'sips' ? operand : `sip:${operand}`;
  let aor: string;
  try {
    aor = normalizeAor(uri);
  } catch {
    throw new UsageError(`user ${action}: "${operand}" is not a SIP AOR (sip:USER@DOMAIN)`);
  }
  const userinfo = uri.slice(uri.indexOf(':') + 1).split('@')[0] ?? '';
  if (uri.includes('@') && userinfo.includes(':')) throw new UsageError(`user ${action}: the AOR must not carry a password; it is read from the terminal or stdin`);
  if (!aor.includes('@')) throw new UsageError(`user ${action}: ${aor} has no user part; a user needs one (sip:USER@DOMAIN)`);
  return aor;
}

/** The digest username of a canonical AOR: its user part. */
export function usernameOf(aor: string): string {
  return aor.slice('sip:'.length, aor.lastIndexOf('@'));
}

/** A failure to report with exit code 1 (no such user, user exists...). */
export class UserCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserCommandError';
  }
}

export interface UserCommandIo {
  readonly store: UserStore;
  readonly password: PasswordInput;
  readonly out: NodeJS.WritableStream;
  /** Notes that are not the command's output (a cut list). */
  readonly err: NodeJS.WritableStream;
}

/** Carries a parsed command out on the store; throws UserCommandError (exit 1) when it cannot. */
export async function runUserCommand(command: UserCommand, io: UserCommandIo): Promise<void> {
  const { action, values } = command;
  if (action === 'list') return listUsers(io, values.limit as number);
  const aor = command.aor as string;
  const existing = await io.store.user(aor);
  switch (action) {
    case 'add': {
      if (existing !== undefined) throw new UserCommandError(`user ${aor} already exists (passwd changes its password)`);
      const realm = (values.realm as string | undefined) ?? aorDomain(aor);
      const password = await readNewPassword(io.password, aor);
      const record = withDisplayName({ aor, username: usernameOf(aor), realm, ha1: ha1ForAll(usernameOf(aor), realm, password), enabled: values.disable !== true }, values['display-name'] as string | undefined);
      await io.store.putUser(record);
      io.out.write(`added ${aor} (realm ${realm}, ${record.enabled ? 'enabled' : 'disabled'})\n`);
      return;
    }
    case 'passwd': {
      const user = found(aor, existing);
      const realm = (values.realm as string | undefined) ?? user.realm;
      const password = await readNewPassword(io.password, aor);
      const enabled = values.enable === true ? true : values.disable === true ? false : user.enabled;
      const displayName = (values['display-name'] as string | undefined) ?? user.displayName;
      await io.store.putUser(withDisplayName({ aor, username: user.username, realm, ha1: ha1ForAll(user.username, realm, password), enabled }, displayName));
      io.out.write(`password changed for ${aor} (realm ${realm}, ${enabled ? 'enabled' : 'disabled'})\n`);
      return;
    }
    case 'enable':
    case 'disable': {
      const user = found(aor, existing);
      await io.store.putUser({ ...user, enabled: action === 'enable' });
      io.out.write(`${action}d ${aor}\n`);
      return;
    }
    case 'del': {
      found(aor, existing);
      if (!(await io.store.deleteUser(aor))) throw new UserCommandError(`no user ${aor}`);
      io.out.write(`deleted ${aor}\n`);
      return;
    }
    case 'show': {
      io.out.write(showUser(found(aor, existing), values['show-ha1'] === true));
      return;
    }
  }
}

async function listUsers(io: UserCommandIo, limit: number): Promise<void> {
  const users = await io.store.listUsers(limit + 1);
  for (const user of users.slice(0, limit)) io.out.write(`${listLine(user)}\n`);
  if (users.length > limit) io.err.write(`presence: only the first ${limit} users are listed (--limit)\n`);
}

/** One `list` line: AOR, realm, enabled|disabled, display name (empty when none), tab separated. */
export function listLine(user: UserRecord): string {
  return [user.aor, user.realm, user.enabled ? 'enabled' : 'disabled', user.displayName ?? ''].join('\t');
}

/** `show`'s text: one `field: value` line each, the HA1s only when asked for. */
export function showUser(user: UserRecord, withHa1: boolean): string {
  const lines = [
    `aor: ${user.aor}`,
    `username: ${user.username}`,
    `realm: ${user.realm}`,
    `enabled: ${user.enabled ? 'yes' : 'no'}`,
    `display name: ${user.displayName ?? ''}`,
  ];
  if (withHa1) lines.push(`ha1 SHA-256: ${user.ha1['SHA-256']}`, `ha1 MD5: ${user.ha1.MD5}`);
  return `${lines.join('\n')}\n`;
}

function found(aor: string, user: UserRecord | undefined): UserRecord {
  if (user === undefined) throw new UserCommandError(`no user ${aor}`);
  return user;
}

function withDisplayName(record: Omit<UserRecord, 'displayName'>, displayName: string | undefined): UserRecord {
  return displayName === undefined || displayName === '' ? record : { ...record, displayName };
}
