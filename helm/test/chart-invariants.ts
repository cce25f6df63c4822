import { expect } from 'vitest';
import type { K8sObject } from './chart-kit.js';
import { onlyContainer, optionValue, selects, workloads, type Workload } from './workload-view.js';

/**
 * What must hold for every render, whatever the values: hardened pods with
 * resources and probes on the --http port, spread over nodes; Services, PDBs,
 * the HPA and NetworkPolicies that point at pods that exist; and secrets and
 * config maps that are either rendered or named by the values as existing.
 */
export function expectChartInvariants(objects: readonly K8sObject[], externalSecretNames: readonly string[]): void {
  const pods = workloads(objects);
  expect(pods.length).toBeGreaterThan(0);
  for (const workload of pods) expectHardenedWorkload(workload, objects, externalSecretNames);

  for (const service of objects.filter((o) => o.kind === 'Service')) {
    const spec = service.spec as { selector: Record<string, string>; ports: { name: string; targetPort: string; protocol: string }[] };
    const backing = pods.filter((w) => selects(spec.selector, w.spec.template.metadata.labels));
    expect(backing.length, `Service ${service.metadata.name} selects no pods`).toBeGreaterThan(0);
    for (const port of spec.ports) {
      for (const workload of backing) {
        const named = onlyContainer(workload).ports?.find((p) => p.name === port.targetPort);
        expect(named, `Service ${service.metadata.name} port ${port.name} -> ${workload.metadata.name}`).toBeDefined();
        expect(named!.protocol).toBe(port.protocol);
      }
    }
  }
  for (const budget of objects.filter((o) => o.kind === 'PodDisruptionBudget' || o.kind === 'NetworkPolicy')) {
    const spec = budget.spec as { selector?: { matchLabels: Record<string, string> }; podSelector?: { matchLabels: Record<string, string> } };
    const selector = (spec.selector ?? spec.podSelector)!.matchLabels;
    expect(pods.some((w) => selects(selector, w.spec.template.metadata.labels)), `${budget.kind} ${budget.metadata.name} selects no pods`).toBe(true);
  }
  for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const target = (hpa.spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef;
    expect(pods.some((w) => w.kind === target.kind && w.metadata.name === target.name)).toBe(true);
    expect(pods.find((w) => w.metadata.name === target.name)!.spec.replicas, 'the HPA owns the replica count').toBeUndefined();
  }
}

function expectHardenedWorkload(workload: Workload, objects: readonly K8sObject[], externalSecretNames: readonly string[]): void {
  const pod = workload.spec.template.spec;
  const where = `${workload.kind} ${workload.metadata.name}`;
  expect(pod.securityContext, where).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  expect(pod.automountServiceAccountToken, where).toBe(false);
  expect(pod.topologySpreadConstraints?.length, where).toBeGreaterThan(0);
  for (const constraint of pod.topologySpreadConstraints!) {
    expect(selects(constraint.labelSelector.matchLabels, workload.spec.template.metadata.labels), where).toBe(true);
  }
  expect(selects(workload.spec.selector.matchLabels, workload.spec.template.metadata.labels), where).toBe(true);

  const container = onlyContainer(workload);
  expect(container.securityContext, where).toMatchObject({
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ['ALL'] },
  });
  expect(Object.keys(container.resources?.requests ?? {}).sort(), where).toEqual(['cpu', 'memory']);
  expect(Object.keys(container.resources?.limits ?? {}).sort(), where).toEqual(['cpu', 'memory']);

  // The probes hit the port the process serves /healthz and /readyz on.
  const httpPort = container.ports?.find((p) => p.name === 'http');
  expect(optionValue(container.args, 'http'), where).toBe(`0.0.0.0:${httpPort?.containerPort}`);
  expect(container.startupProbe?.httpGet, where).toEqual({ path: '/healthz', port: 'http' });
  expect(container.livenessProbe?.httpGet, where).toEqual({ path: '/healthz', port: 'http' });
  expect(container.readinessProbe?.httpGet, where).toEqual({ path: '/readyz', port: 'http' });

  // Every file or variable the pod needs comes from an object that will be there.
  const rendered = (kind: string, name: string) => objects.some((o) => o.kind === kind && o.metadata.name === name);
  const secretThere = (name: string) => rendered('Secret', name) || externalSecretNames.includes(name);
  // A key of a rendered Secret must be in it; an existing Secret is the operator's to fill.
  const keyThere = (name: string, key: string) => {
    const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === name) as { data?: Record<string, string> } | undefined;
    return secret === undefined ? externalSecretNames.includes(name) : secret.data?.[key] !== undefined;
  };
  for (const volume of pod.volumes ?? []) {
    if (!volume.secret) continue;
    expect(secretThere(volume.secret.secretName), `${where}: volume ${volume.name}`).toBe(true);
    for (const item of volume.secret.items ?? []) expect(keyThere(volume.secret.secretName, item.key), `${where}: ${item.key}`).toBe(true);
  }
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) expect(rendered('ConfigMap', source.configMapRef.name), where).toBe(true);
  }
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    if (ref) expect(keyThere(ref.name!, ref.key!), `${where}: ${variable.name} from Secret ${ref.name} key ${ref.key}`).toBe(true);
  }
  for (const mount of container.volumeMounts ?? []) {
    expect(pod.volumes?.some((v) => v.name === mount.name), `${where}: mount ${mount.name}`).toBe(true);
  }
}
