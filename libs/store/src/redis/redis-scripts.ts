import { LUA_SOURCES, type LuaScriptName } from './lua-sources.js';
import type { RedisClient } from './redis-connection.js';

type ScriptArg = string | number;
type ScriptCall = (keys: readonly string[], args: readonly ScriptArg[]) => Promise<unknown>;

export type RedisScripts = Record<LuaScriptName, ScriptCall>;

/**
 * Registers every script with the client (ioredis defineCommand: EVALSHA,
 * falling back to EVAL when the server does not know the script yet, e.g.
 * after a restart) and returns one call per script. The key count goes with
 * each call (commit-presentity takes its index keys on one Redis node
 * only); every call's keys share one hash slot, except those.
 */
export function defineScripts(client: RedisClient): RedisScripts {
  const scripts = {} as RedisScripts;
  for (const name of Object.keys(LUA_SOURCES) as LuaScriptName[]) {
    const command = `presence_${name.replaceAll('-', '_')}`;
    client.defineCommand(command, { lua: LUA_SOURCES[name] });
    const run = (client as unknown as Record<string, (...args: ScriptArg[]) => Promise<unknown>>)[command] as (...args: ScriptArg[]) => Promise<unknown>;
    scripts[name] = (keys, args) => run.call(client, keys.length, ...keys, ...args);
  }
  return scripts;
}
