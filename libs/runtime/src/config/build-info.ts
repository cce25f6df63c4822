import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What `presence_build_info` says about the running code. */
export interface BuildInfo {
  /** `version` of the root package.json. */
  readonly version: string;
  /** The commit built: PRESENCE_COMMIT (set when the image is built), else the checkout's HEAD. */
  readonly commit: string;
}

export const UNKNOWN = 'unknown';
/** A label value we are willing to export: short, no quotes, spaces or control characters. */
const LABEL_SAFE = /^[0-9A-Za-z._+-]{1,64}$/;
const ROOT = new URL('../../../../', import.meta.url);

let cached: BuildInfo | undefined;

/**
 * Version and commit of this process, found once and remembered. Never
 * fails: a missing or odd package.json gives version "unknown"; without
 * PRESENCE_COMMIT, outside a git checkout or without git, commit "unknown".
 */
export function buildInfo(): BuildInfo {
  cached ??= readBuildInfo(ROOT, process.env);
  return cached;
}

/** buildInfo for the tree at `root` (a directory URL) and environment `env`. */
export function readBuildInfo(root: URL, env: NodeJS.ProcessEnv): BuildInfo {
  return { version: packageVersion(new URL('package.json', root)), commit: commitOf(root, env) };
}

function packageVersion(packageJson: URL): string {
  try {
    const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: unknown };
    if (typeof version === 'string' && LABEL_SAFE.test(version)) return version;
  } catch {
    // an unusual packaging: the version stays unknown
  }
  return UNKNOWN;
}

function commitOf(root: URL, env: NodeJS.ProcessEnv): string {
  const given = env.PRESENCE_COMMIT?.trim();
  if (given) return LABEL_SAFE.test(given) ? given : UNKNOWN;
  return checkoutHead(fileURLToPath(root)) ?? UNKNOWN;
}

/**
 * HEAD of the git checkout at `dir`, when it is one (only its own .git:
 * code installed inside someone else's repository must not report theirs)
 * and git answers within a second.
 */
function checkoutHead(dir: string): string | undefined {
  if (!existsSync(`${dir}/.git`)) return undefined;
  try {
    const head = execFileSync('git', ['-C', dir, 'rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', timeout: 1000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return /^[0-9a-f]{7,40}$/.test(head) ? head : undefined;
  } catch {
    return undefined;
  }
}
