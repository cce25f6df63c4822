import { LUA_SOURCES, type LuaScriptName } from './lua-sources.js';
import type { RedisClient } from './redis-connection.js';

type ScriptArg = string | number;
type ScriptCall = (keys: readonly string[], args: readonly ScriptArg[]) => Promise<unknown>;

/** Scripts and their key counts; every script touches keys of one hash slot only. */
const KEY_COUNTS: Record<LuaScriptName, number> = {
  'commit-presentity': 1,
  'presentity-index-lower': 2,
  'presentity-index-settle': 2,
  'hash-swap': 1,
  'watcher-put-read': 2,
  'hash-take': 1,
  'lease-acquire': 1,
  'lease-release': 1,
  'member-heartbeat': 1,
  'nonce-count': 1,
  'auth-failure': 1,
  'dialog-index-add': 1,
  'offline-queue': 2,
  'offline-remove': 1,
  'owner-lock': 1,
  'owner-unlock': 1,
  'xcap-change': 1,
  'xcap-claim': 1,
};

export type RedisScripts = Record<LuaScriptName, ScriptCall>;

/**
 * Registers every script with the client (ioredis defineCommand: EVALSHA,
 * falling back to EVAL when the server does not know the script yet, e.g.
 * after a restart) and returns one call per script.
 */
export function defineScripts(client: RedisClient): RedisScripts {
  const scripts = {} as RedisScripts;
  for (const name of Object.keys(LUA_SOURCES) as LuaScriptName[]) {
    const command = `presence_${name.replaceAll('-', '_')}`;
    client.defineCommand(command, { numberOfKeys: KEY_COUNTS[name], lua: LUA_SOURCES[name] });
    const run = (client as unknown as Record<string, (...args: ScriptArg[]) => Promise<unknown>>)[command] as (...args: ScriptArg[]) => Promise<unknown>;
    scripts[name] = (keys, args) => run.call(client, ...keys, ...args);
  }
  return scripts;
}
