import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, UsageError, type OptionValues } from '@presence/runtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { levelFromFile, startupLogLevel, withLogLevelReload } from './log-level-file.js';

describe('log level file', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'level-file-'));
    file = join(dir, 'level');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('levelFromFile - one word, whitespace ignored; anything else names the file and the choices', () => {
    expect(levelFromFile('f', ' debug\n')).toBe('debug');
    expect(() => levelFromFile('f', 'debug info')).toThrow('--log-level-file f: expected one of debug, info, warn, error, silent, got "debug info"');
    expect(() => levelFromFile('f', 'x'.repeat(100))).toThrow(`got "${'x'.repeat(40)}..."`);
  });

  it('startupLogLevel - the file wins over --log-level; an unreadable file is a usage error', async () => {
    expect(startupLogLevel({ 'log-level': 'warn' } as OptionValues)).toBe('warn');
    await writeFile(file, 'error');
    expect(startupLogLevel({ 'log-level': 'warn', 'log-level-file': file } as OptionValues)).toBe('error');
    expect(() => startupLogLevel({ 'log-level-file': join(dir, 'missing') } as OptionValues)).toThrow(UsageError);
  });

  it('withLogLevelReload - sets the level and runs the role reload; a failing part keeps its old state and is reported', async () => {
    const logger = createLogger({ level: 'info' });
    let certificateReloads = 0;
    const certificate = async () => ({ fingerprint: `fp${++certificateReloads}` });
    expect(withLogLevelReload({} as OptionValues, logger, undefined)).toBeUndefined();
    const reload = withLogLevelReload({ 'log-level-file': file } as OptionValues, logger, certificate)!;

    await writeFile(file, 'debug');
    expect(await reload()).toEqual({ logLevel: 'debug', fingerprint: 'fp1' });
    expect(logger.level).toBe('debug');

    await writeFile(file, 'loud');
    await expect(reload()).rejects.toThrow('got "loud"');
    expect(logger.level).toBe('debug');
    expect(certificateReloads).toBe(2);

    await writeFile(file, 'warn');
    const failing = withLogLevelReload({ 'log-level-file': file } as OptionValues, logger, () => Promise.reject(new Error('bad certificate')))!;
    await expect(failing()).rejects.toThrow('bad certificate');
    expect(logger.level).toBe('warn');
  });
});
