import { Buffer } from 'node:buffer';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { K8sObject } from './chart-kit.js';
import { onlyContainer, type Workload } from './workload-view.js';

/** A rendered pod's command and environment, as the kubelet would give them to the process. */
export interface PodCommand {
  args: string[];
  env: Record<string, string>;
}

/**
 * Resolves what the kubelet resolves: envFrom ConfigMaps, env values with
 * $(VAR) references to earlier variables, fieldRefs (the pod's name; its IP
 * is 127.0.0.1 here), secretKeyRefs from the rendered Secrets, $(VAR) in the
 * args; and writes the pod's Secret volumes to a directory, rewriting the
 * args that name files under their mount paths.
 */
export function podCommand(workload: Workload, objects: readonly K8sObject[]): PodCommand {
  const container = onlyContainer(workload);
  const rendered = (kind: string, name: string) => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!found) throw new Error(`${workload.metadata.name} needs ${kind} ${name}, which the render does not have`);
    return found;
  };
  const secretValue = (name: string, key: string) => {
    const value = rendered('Secret', name).data?.[key];
    if (value === undefined) throw new Error(`Secret ${name} has no key ${key}`);
    return Buffer.from(value, 'base64').toString('utf8');
  };
  const env: Record<string, string> = {};
  const expand = (text: string) => text.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole);

  for (const source of container.envFrom ?? []) {
    if (!source.configMapRef) throw new Error(`${workload.metadata.name}: only configMapRef envFrom is resolved here`);
    Object.assign(env, rendered('ConfigMap', source.configMapRef.name).data);
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (variable.value !== undefined) env[variable.name] = expand(variable.value);
    else if (from?.fieldRef?.fieldPath === 'metadata.name') env[variable.name] = `${workload.metadata.name}-local`;
    else if (from?.fieldRef?.fieldPath === 'status.podIP') env[variable.name] = '127.0.0.1';
    else if (from?.secretKeyRef) env[variable.name] = secretValue(from.secretKeyRef.name!, from.secretKeyRef.key!);
    else throw new Error(`${workload.metadata.name}: cannot resolve env ${variable.name} here`);
  }

  let args = container.args.map(expand);
  const filesRoot = mkdtempSync(join(tmpdir(), `${workload.metadata.name}-files-`));
  for (const volume of workload.spec.template.spec.volumes ?? []) {
    if (!volume.secret) continue;
    const mount = container.volumeMounts?.find((m) => m.name === volume.name);
    if (!mount) continue;
    const dir = join(filesRoot, volume.name);
    mkdirSync(dir);
    const secret = rendered('Secret', volume.secret.secretName);
    const items = volume.secret.items ?? Object.keys(secret.data ?? {}).map((key) => ({ key, path: key }));
    for (const item of items) writeFileSync(join(dir, item.path), secretValue(volume.secret.secretName, item.key));
    args = args.map((arg) => (arg.startsWith(`${mount.mountPath}/`) ? join(dir, arg.slice(mount.mountPath.length + 1)) : arg));
  }
  return { args, env };
}

/** Replaces the value after `--name`; throws when the option is not there. */
export function replaceOption(args: readonly string[], name: string, value: string): string[] {
  const at = args.indexOf(`--${name}`);
  if (at < 0) throw new Error(`no --${name} in ${args.join(' ')}`);
  return [...args.slice(0, at + 1), value, ...args.slice(at + 2)];
}

/** The options a role's `--help` lists. */
export function optionsInHelp(help: string): Set<string> {
  return new Set([...help.matchAll(/^ {2}--([a-z0-9-]+)/gm)].map((m) => m[1]!));
}

/** Every `--name` in an argument list (values never start with --). */
export function optionsIn(args: readonly string[]): string[] {
  return args.filter((a) => a.startsWith('--')).map((a) => a.slice(2));
}
