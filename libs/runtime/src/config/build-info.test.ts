import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { buildInfo, readBuildInfo } from './build-info.js';

const ROOT = new URL('../../../../', import.meta.url);

describe('build info', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });
  async function tree(files: Record<string, string>, gitDir = false): Promise<URL> {
    const dir = await mkdtemp(join(tmpdir(), 'presence-build-'));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    if (gitDir) await mkdir(join(dir, '.git'));
    return pathToFileURL(`${dir}/`);
  }

  it('build info - version of the root package.json; commit from PRESENCE_COMMIT when set', async () => {
    const root = JSON.parse(await readFile(new URL('package.json', ROOT), 'utf8')) as { version: string };
    expect(readBuildInfo(ROOT, { PRESENCE_COMMIT: '93ee070abc' })).toEqual({ version: root.version, commit: '93ee070abc' });
    expect(buildInfo().version).toBe(root.version);
  });

  it('build info - from a git checkout without PRESENCE_COMMIT: its HEAD', () => {
    let head: string;
    try {
      head = execFileSync('git', ['-C', ROOT.pathname, 'rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      head = 'unknown'; // no git here: the same answer is expected
    }
    expect(readBuildInfo(ROOT, {}).commit).toBe(head);
  });

  it('build info - never fails: no package.json, no checkout, a broken .git or an unsafe PRESENCE_COMMIT give "unknown"', async () => {
    expect(readBuildInfo(await tree({}), {})).toEqual({ version: 'unknown', commit: 'unknown' });
    expect(readBuildInfo(await tree({ 'package.json': '{ not json' }, true), {})).toEqual({ version: 'unknown', commit: 'unknown' });
    expect(readBuildInfo(await tree({ 'package.json': JSON.stringify({ version: '1.2.3' }) }), { PRESENCE_COMMIT: 'abc"} 1\nx' })).toEqual({
      version: '1.2.3',
      commit: 'unknown',
    });
    expect(readBuildInfo(await tree({ 'package.json': JSON.stringify({ version: '1 2' }) }), { PRESENCE_COMMIT: '  ' }).version).toBe('unknown');
  });
});
