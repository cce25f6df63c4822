import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PRESENCE_BIN = `${REPO_ROOT}services/cli/bin/presence.js`;

/** The roles `presence --help` lists today. */
export function presenceRoles(): Set<string> {
  const usage = execFileSync(process.execPath, [PRESENCE_BIN, '--help'], { encoding: 'utf8' });
  const roles = usage.slice(usage.indexOf('Roles:'), usage.indexOf('Run "presence ROLE'));
  return new Set([...roles.matchAll(/^ {2}([a-z-]+) /gm)].map((m) => m[1]!));
}

/** A role's options and the PRESENCE_* variable of each, as its --help shows them. */
export function roleOptions(role: string): { options: Set<string>; variables: Set<string> } {
  const help = execFileSync(process.execPath, [PRESENCE_BIN, role, '--help'], { encoding: 'utf8' });
  return {
    options: new Set([...help.matchAll(/^ {2}--([a-z0-9-]+)/gm)].map((m) => m[1]!)),
    variables: new Set([...help.matchAll(/^ {6}env (PRESENCE_[A-Z0-9_]+)/gm)].map((m) => m[1]!)),
  };
}
