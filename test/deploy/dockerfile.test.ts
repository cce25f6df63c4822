import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRESENCE_NODE_FLAGS } from '@presence/dev-tools';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './presence-cli.js';

/**
 * No docker daemon here, so the image is not built by the tests: they read
 * the Dockerfile and hold it to what the image must be (one image, non-root,
 * production dependencies only, everything the packages' entry points need).
 */
interface Stage {
  from: string;
  name: string;
  instructions: { keyword: string; args: string }[];
}

function stages(dockerfile: string): Stage[] {
  const lines = dockerfile.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const result: Stage[] = [];
  for (const line of lines) {
    const [keyword, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword!.toUpperCase() === 'FROM') {
      const [from, , name] = rest;
      result.push({ from: from!, name: name ?? String(result.length), instructions: [] });
    } else {
      result.at(-1)?.instructions.push({ keyword: keyword!.toUpperCase(), args });
    }
  }
  return result;
}

const dockerfile = stages(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
const build = dockerfile.find((s) => s.name === 'build')!;
const runtime = dockerfile.at(-1)!;
const of = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const rootPackage = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; workspaces: string[] };

describe('Dockerfile', () => {
  it('builds on the Node major the project runs on, in a build and a runtime stage', () => {
    expect(build).toBeDefined();
    expect(runtime.name).toBe('runtime');
    const major = /(\d+)/.exec(rootPackage.engines.node)![1];
    for (const stage of dockerfile) expect(stage.from).toMatch(new RegExp(`^node:${major}-(bookworm-slim|alpine)`));
  });

  it('builds with dev dependencies and runs with production ones only', () => {
    expect(of(build, 'RUN').join('\n')).toMatch(/npm ci [^\n]*&& npm run build/);
    const install = of(runtime, 'RUN').join('\n');
    expect(install).toContain('npm ci --omit=dev');
    // Nothing reaches the runtime stage but the build stage's pruned tree.
    expect(of(runtime, 'COPY')).toEqual(['--from=build /out/ ./']);
  });

  it('prunes the tree to the lockfile and, per workspace, package.json and dist/ (and the CLI bin/)', () => {
    const prune = of(build, 'RUN').find((r) => r.includes('/out'))!;
    expect(prune).toContain('cp package.json package-lock.json /out/');
    const loop = /for ws in ([^;]+);/.exec(prune)![1]!.trim().split(/\s+/);
    expect(loop.sort()).toEqual([...rootPackage.workspaces].sort());
    expect(prune).toMatch(/cp "\$ws\/package.json" "\/out\/\$ws\/"/);
    expect(prune).toMatch(/cp -r "\$ws\/dist" "\/out\/\$ws\/"/);
    expect(prune).toContain('cp -r services/cli/bin /out/services/cli/bin');
    // The XCAP server reads its XML schemas at start.
    expect(prune).toContain('cp -r services/xcap/schemas /out/services/xcap/schemas');
  });

  it('ships every runtime entry point of every workspace package within what it copies', () => {
    const workspaceDirs = rootPackage.workspaces.flatMap((pattern) => {
      if (!pattern.endsWith('/*')) return [pattern];
      const parent = pattern.slice(0, -2);
      return packagesUnder(parent).map((dir) => `${parent}/${dir}`);
    });
    for (const dir of workspaceDirs) {
      const pkg = JSON.parse(readFileSync(join(REPO_ROOT, dir, 'package.json'), 'utf8')) as { main?: string; exports?: unknown; bin?: Record<string, string> };
      const entries = [pkg.main, ...collectStrings(pkg.exports)].filter((e): e is string => e !== undefined);
      for (const entry of entries) expect(entry, `${dir}: ${entry}`).toMatch(/^\.\/dist\//);
      for (const bin of Object.values(pkg.bin ?? {})) expect(`${dir}/${bin.replace(/^\.\//, '')}`).toMatch(/^services\/cli\/bin\//);
    }
  });

  it('runs as a non-root numeric user, with the presence CLI as entry point', () => {
    const user = of(runtime, 'USER').at(-1);
    expect(user).toMatch(/^\d+:\d+$/);
    expect(Number(user!.split(':')[0])).toBeGreaterThan(0);
    const entrypoint = JSON.parse(of(runtime, 'ENTRYPOINT').at(-1)!) as string[];
    expect(entrypoint).toEqual(['node', 'services/cli/bin/presence.js']);
    expect(existsSync(join(REPO_ROOT, entrypoint[1]!))).toBe(true);
  });

  it('launches node with the options the bench measures, as npm start and the presence bin do', () => {
    const flags = PRESENCE_NODE_FLAGS.join(' ');
    expect(of(runtime, 'ENV')).toContain(`NODE_OPTIONS=${flags}`);
    const start = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['start'];
    expect(start).toContain(`node ${flags} services/cli/bin/presence.js standalone`);
    const shebang = readFileSync(join(REPO_ROOT, 'services', 'cli', 'bin', 'presence.js'), 'utf8').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${flags}`);
  });

  it('matches the user the Helm chart runs pods as', () => {
    const values = readFileSync(join(REPO_ROOT, 'helm', 'presence-cluster', 'values.yaml'), 'utf8');
    const uid = of(runtime, 'USER').at(-1)!.split(':')[0];
    expect(values).toMatch(new RegExp(`runAsUser: ${uid}\\b`));
  });

  it('keeps installed and built files of this machine out of the build context', () => {
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.git']));
  });
});

/** The package folders right under `parent`, as npm expands `parent/*`. */
function packagesUnder(parent: string): string[] {
  return readdirSync(join(REPO_ROOT, parent)).filter((name) => existsSync(join(REPO_ROOT, parent, name, 'package.json')));
}

function collectStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(collectStrings);
  return [];
}
