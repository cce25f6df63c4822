import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LUA_SOURCES } from './lua-sources.js';

const luaDir = new URL('./lua/', import.meta.url);

describe('lua sources', () => {
  it('lua sources - the embedded copies match src/redis/lua/*.lua (else run: node libs/store/scripts/embed-lua.mjs)', () => {
    const files = readdirSync(luaDir).filter((name) => name.endsWith('.lua')).sort();
    expect(Object.keys(LUA_SOURCES).sort()).toEqual(files.map((name) => name.slice(0, -'.lua'.length)));
    for (const name of files) {
      expect(LUA_SOURCES[name.slice(0, -'.lua'.length) as keyof typeof LUA_SOURCES], name).toBe(readFileSync(new URL(name, luaDir), 'utf8'));
    }
  });

  it('lua sources - every script starts with a header naming its KEYS and ARGV', () => {
    for (const [name, source] of Object.entries(LUA_SOURCES)) {
      const header = source.split('\n').filter((line) => line.startsWith('--')).join('\n');
      expect(header, name).toMatch(/KEYS\[1\]/);
      expect(header, name).toMatch(/ARGV\[1\]/);
      expect(header, name).toMatch(/Returns/);
    }
  });
});
