import { Buffer } from 'node:buffer';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectChartInvariants } from './chart-invariants.js';
import { chartWithStandInDependencies, findObject, helm, names, NAMESPACE, helmTemplate, renderObjects, VALUE_SETS, valuesFile, type K8sObject, type ValueSet } from './chart-kit.js';
import { loadDashboards } from './dashboard-kit.js';
import { validateAgainstKubernetesSchema } from './kubernetes-schemas.js';
import { onlyContainer, optionValue, type Workload } from './workload-view.js';

/** Secrets a render refers to that the values say exist already (made by the operator or a subchart). */
const EXISTING_SECRETS: Record<ValueSet, string[]> = {
  'external-services': [],
  'tls-and-xcap': ['presence-tls', 'presence-secrets'],
  // The redis subchart makes the Secret with its password (only a stand-in here).
  'everything-on': ['rel-redis'],
};
const RENDERS = [
  { name: 'defaults', args: [] as string[], externalSecrets: [] as string[] },
  ...VALUE_SETS.map((set) => ({ name: set, args: ['-f', valuesFile(set)], externalSecrets: EXISTING_SECRETS[set] })),
];

const edgeOf = (objects: K8sObject[]) => findObject(objects, 'Deployment', names.of('edge')) as Workload;
const agentOf = (objects: K8sObject[]) => findObject(objects, 'Deployment', names.of('agent')) as Workload;
const envOf = (workload: Workload) => new Map((onlyContainer(workload).env ?? []).map((e) => [e.name, e]));
const decoded = (secret: K8sObject, key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');

describe.each(RENDERS)('chart with $name values', ({ args, externalSecrets }) => {
  it('passes helm lint --strict', () => {
    const lint = helm(['lint', chartWithStandInDependencies(), '--strict', '--namespace', NAMESPACE, ...args]);
    expect(lint.stderr + lint.stdout).toContain('0 chart(s) failed');
    expect(lint.status).toBe(0);
  });

  it('renders objects that match the Kubernetes API schemas', async () => {
    const objects = renderObjects(args);
    for (const object of objects) await validateAgainstKubernetesSchema(object);
  });

  it('renders hardened, probed pods and objects that point at them', () => {
    expectChartInvariants(renderObjects(args), externalSecrets);
  });
});

describe('chart defaults', () => {
  const objects = renderObjects();

  it('renders edges, agents and their objects, and nothing that is switched off', () => {
    const rendered = objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(rendered).toEqual(
      [
        `ConfigMap/${names.fullname}`,
        `Deployment/${names.of('agent')}`,
        `Deployment/${names.of('edge')}`,
        `HorizontalPodAutoscaler/${names.of('edge')}`,
        `NetworkPolicy/${names.of('agent')}`,
        `NetworkPolicy/${names.of('edge')}`,
        `PodDisruptionBudget/${names.of('agent')}`,
        `PodDisruptionBudget/${names.of('edge')}`,
        `Secret/${names.fullname}`,
        `Service/${names.of('metrics')}`,
        `Service/${names.of('sip')}`,
        `ServiceAccount/${names.fullname}`,
      ].sort(),
    );
  });

  it('runs the agents with the issue #12 default authorization: watchers no pres-rule covers wait for confirmation', () => {
    expect(optionValue(onlyContainer(agentOf(objects)).args, 'default-sub-handling')).toBe('confirm');
  });

  it('publishes SIP over UDP, TCP and WS with the client address kept', () => {
    const sip = findObject(objects, 'Service', names.of('sip')).spec as { type: string; externalTrafficPolicy: string; ports: { port: number; protocol: string }[] };
    expect(sip.type).toBe('LoadBalancer');
    expect(sip.externalTrafficPolicy).toBe('Local');
    expect(sip.ports.map((p) => `${p.protocol}/${p.port}`)).toEqual(['UDP/5060', 'TCP/5060', 'TCP/8080']);
  });

  it('gives agents time to hand their partitions over, and rolls them one new agent first', () => {
    const agent = agentOf(objects);
    // The agent's own stop deadline is 10 s (runUntilSignal): the pod must outlive it.
    expect(agent.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(10);
    expect((agent.spec as { strategy?: unknown }).strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(onlyContainer(agent).args.slice(0, 1)).toEqual(['agent']);
  });

  it('wires both roles to NATS and Redis from the Secret, and the shared settings from the ConfigMap', () => {
    const secret = findObject(objects, 'Secret', names.fullname);
    expect(decoded(secret, 'nats-url')).toBe('nats://nats:4222');
    expect(decoded(secret, 'redis-url')).toBe('redis://redis:6379');
    expect(decoded(secret, 'nonce-key')).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(decoded(secret, 'admin-token')).toMatch(/^[A-Za-z0-9]{48}$/);
    for (const workload of [edgeOf(objects), agentOf(objects)]) {
      const env = envOf(workload);
      expect(env.get('PRESENCE_NATS')?.valueFrom?.secretKeyRef).toEqual({ name: names.fullname, key: 'nats-url' });
      expect(env.get('PRESENCE_REDIS')?.valueFrom?.secretKeyRef).toEqual({ name: names.fullname, key: 'redis-url' });
      expect(onlyContainer(workload).envFrom).toEqual([{ configMapRef: { name: names.fullname } }]);
    }
    expect(findObject(objects, 'ConfigMap', names.fullname).data).toEqual({ PRESENCE_PARTITIONS: '256', PRESENCE_LOG_LEVEL: 'info' });
  });

  it('runs edges with digest authentication keyed by the mounted nonce key, and drains before stopping', () => {
    const edge = onlyContainer(edgeOf(objects));
    expect(optionValue(edge.args, 'auth')).toBe('digest');
    expect(edge.args).not.toContain('--insecure');
    expect(optionValue(edge.args, 'nonce-key-file')).toBe('/etc/presence/auth/nonce-key');
    expect(edge.volumeMounts).toContainEqual({ name: 'auth', mountPath: '/etc/presence/auth', readOnly: true });
    expect(optionValue(edge.args, 'listen')).toBe('udp:0.0.0.0:5060,tcp:0.0.0.0:5060,ws:0.0.0.0:8080');
    expect(optionValue(edge.args, 'tls-cert')).toBeUndefined();
    expect(edge.lifecycle?.preStop?.sleep?.seconds).toBeGreaterThan(0);
  });

  it('gives edges the CLI\'s rate limit and overload defaults, and no exempt source', () => {
    const args = onlyContainer(edgeOf(objects)).args;
    const given = ['rate-limit', 'rate-limit-burst', 'rate-limit-udp', 'overload-event-loop-lag', 'overload-pending', 'overload-retry-after'].map((name) => optionValue(args, name));
    expect(given).toEqual(['200', '2000', '503', '500', '4000', '5']);
    expect(args).not.toContain('--rate-limit-exempt');
  });
});

describe('chart admin API token', () => {
  const adminVolume = (secretName: string) => ({ name: 'admin', secret: { secretName, items: [{ key: 'admin-token', path: 'admin-token' }] } });

  it('mounts the generated token of the Secret read-only into edges and agents and passes it as --admin-token-file', () => {
    const objects = renderObjects();
    for (const workload of [edgeOf(objects), agentOf(objects)]) {
      const container = onlyContainer(workload);
      expect(optionValue(container.args, 'admin-token-file'), workload.metadata.name).toBe('/etc/presence/admin/admin-token');
      expect(container.volumeMounts).toContainEqual({ name: 'admin', mountPath: '/etc/presence/admin', readOnly: true });
      expect(workload.spec.template.spec.volumes).toContainEqual(adminVolume(names.fullname));
    }
    // A new random one per render (install); an upgrade keeps the one in the cluster (lookup).
    const again = findObject(renderObjects(), 'Secret', names.fullname);
    expect(decoded(again, 'admin-token')).not.toBe(decoded(findObject(objects, 'Secret', names.fullname), 'admin-token'));
  });

  it('stores admin.token as given', () => {
    const objects = renderObjects(['--set', 'admin.token=a-token-of-at-least-16']);
    expect(decoded(findObject(objects, 'Secret', names.fullname), 'admin-token')).toBe('a-token-of-at-least-16');
  });

  it('reads it from secrets.existingSecret under admin-token, and gives the XCAP role none', () => {
    const objects = renderObjects(['-f', valuesFile('tls-and-xcap')]);
    for (const workload of [edgeOf(objects), agentOf(objects)]) {
      expect(workload.spec.template.spec.volumes).toContainEqual(adminVolume('presence-secrets'));
      expect(optionValue(onlyContainer(workload).args, 'admin-token-file')).toBe('/etc/presence/admin/admin-token');
    }
    const xcap = findObject(objects, 'Deployment', names.of('xcap')) as Workload;
    expect(onlyContainer(xcap).args).not.toContain('--admin-token-file');
  });

  it('leaves the admin API off with admin.enabled false: no token, no file, no option', () => {
    const objects = renderObjects(['--set', 'admin.enabled=false']);
    expect(Object.keys(findObject(objects, 'Secret', names.fullname).data ?? {})).not.toContain('admin-token');
    for (const workload of [edgeOf(objects), agentOf(objects)]) {
      expect(onlyContainer(workload).args).not.toContain('--admin-token-file');
      expect(workload.spec.template.spec.volumes?.map((v) => v.name)).not.toContain('admin');
      expect(onlyContainer(workload).volumeMounts?.map((m) => m.name)).not.toContain('admin');
    }
  });

  it('opens the port of the admin API (and /metrics) to networkPolicy.metricsFrom only, behind no Service but the ClusterIP metrics one', () => {
    const metricsFrom = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }];
    const sipFrom = [{ ipBlock: { cidr: '198.51.100.0/24' } }];
    const objects = renderObjects([
      '--set-json',
      `networkPolicy.metricsFrom=${JSON.stringify(metricsFrom)}`,
      '--set-json',
      `networkPolicy.sipFrom=${JSON.stringify(sipFrom)}`,
      '--set',
      'xcap.enabled=true,tls.enabled=true,tls.existingSecret=presence-tls',
    ]);
    const httpPort = 9464;
    type Rule = { ports: { port: number; protocol: string }[]; from?: unknown[] };
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    expect(policies).toHaveLength(3);
    for (const policy of policies) {
      const rules = (policy.spec as { ingress: Rule[] }).ingress;
      const reaching = rules.filter((rule) => rule.ports.some((p) => p.port === httpPort));
      expect(reaching, policy.metadata.name).toEqual([{ ports: [{ port: httpPort, protocol: 'TCP' }], from: metricsFrom }]);
    }
    type ServiceSpec = { type: string; ports: { targetPort: string | number }[] };
    const toHttp = objects.filter((o) => o.kind === 'Service' && (o.spec as ServiceSpec).ports.some((p) => p.targetPort === 'http' || p.targetPort === httpPort));
    expect(toHttp.map((svc) => `${svc.metadata.name} ${(svc.spec as ServiceSpec).type}`)).toEqual([`${names.of('metrics')} ClusterIP`]);
  });
});

describe('chart with external-services values', () => {
  const objects = renderObjects(['-f', valuesFile('external-services')]);

  it('keeps the external URLs, credentials included, in the Secret only', () => {
    const secret = findObject(objects, 'Secret', names.fullname);
    expect(decoded(secret, 'nats-url')).toBe('nats://nats-0.messaging:4222,nats://nats-1.messaging:4222');
    expect(decoded(secret, 'redis-url')).toBe('rediss://:s3cret@redis.data.example.net:6380');
    expect(JSON.stringify(workloadsOf(objects))).not.toContain('s3cret');
  });

  it('runs without authentication, fixed replicas and the shared settings of the values', () => {
    const edge = edgeOf(objects);
    expect(optionValue(onlyContainer(edge).args, 'auth')).toBe('none');
    // auth.insecure: the edges accept --auth none on the pods' 0.0.0.0 only with --insecure.
    expect(onlyContainer(edge).args).toContain('--insecure');
    expect(optionValue(onlyContainer(edge).args, 'listen')).toContain('0.0.0.0');
    expect(optionValue(onlyContainer(edge).args, 'nonce-key-file')).toBeUndefined();
    expect(optionValue(onlyContainer(edge).args, 'domain')).toBe('example.com,example.org');
    expect(edge.spec.replicas).toBe(3);
    expect(objects.some((o) => o.kind === 'HorizontalPodAutoscaler')).toBe(false);
    expect(optionValue(onlyContainer(agentOf(objects)).args, 'lease-time')).toBe('5');
    expect(optionValue(onlyContainer(agentOf(objects)).args, 'default-sub-handling')).toBe('allow');
    expect(findObject(objects, 'ConfigMap', names.fullname).data).toEqual({
      PRESENCE_PARTITIONS: '64',
      PRESENCE_LOG_LEVEL: 'warn',
      PRESENCE_PREFIX: 'tenant-a',
    });
    const sip = findObject(objects, 'Service', names.of('sip')).spec as { type: string; ports: { port: number }[] };
    expect(sip.type).toBe('NodePort');
    expect(sip.ports.map((p) => p.port)).toEqual([5080, 5080, 80]);
  });

  it('passes the rate limit and overload bounds of the values to the edges', () => {
    const args = onlyContainer(edgeOf(objects)).args;
    const given = ['rate-limit', 'rate-limit-burst', 'rate-limit-udp', 'rate-limit-exempt', 'overload-event-loop-lag', 'overload-pending', 'overload-retry-after'].map((name) => optionValue(args, name));
    expect(given).toEqual(['50.5', '500', 'drop', '198.51.100.7/32,2001:db8::/32', '250', '0', '10']);
  });
});

describe('chart with tls-and-xcap values', () => {
  const objects = renderObjects(['-f', valuesFile('tls-and-xcap')]);

  it('listens for TLS and WSS with the certificate Secret mounted where --tls-cert and --tls-key look', () => {
    const edge = edgeOf(objects);
    const container = onlyContainer(edge);
    expect(optionValue(container.args, 'listen')).toBe('udp:0.0.0.0:5060,tcp:0.0.0.0:5060,ws:0.0.0.0:8080,tls:0.0.0.0:5061,wss:0.0.0.0:8443');
    expect(optionValue(container.args, 'tls-cert')).toBe('/etc/presence/tls/tls.crt');
    expect(optionValue(container.args, 'tls-key')).toBe('/etc/presence/tls/tls.key');
    expect(container.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/presence/tls', readOnly: true });
    expect(edge.spec.template.spec.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'presence-tls' } });
    const sip = findObject(objects, 'Service', names.of('sip')).spec as { ports: { name: string; port: number }[] };
    expect(sip.ports.map((p) => `${p.name}:${p.port}`)).toEqual(['sip-udp:5060', 'sip-tcp:5060', 'sip-ws:8080', 'sip-tls:5061', 'sip-wss:443']);
  });

  it('makes no Secret of its own when both are given, and passes realms and the advertised host', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const args = onlyContainer(edgeOf(objects)).args;
    expect(optionValue(args, 'realm')).toBe('example.com=Example,example.org=Example Org');
    expect(optionValue(args, 'advertised-host')).toBe('sip.example.com');
    expect(envOf(edgeOf(objects)).get('PRESENCE_REDIS')?.valueFrom?.secretKeyRef).toEqual({ name: 'presence-secrets', key: 'redis-url' });
  });

  it('runs the XCAP role with its own Service and budget, authenticated as the edges are (digest, realms, nonce key)', () => {
    const xcap = findObject(objects, 'Deployment', names.of('xcap')) as Workload;
    const args = onlyContainer(xcap).args;
    expect(args.slice(0, 3)).toEqual(['xcap', '--xcap-listen', '0.0.0.0:8090']);
    expect(optionValue(args, 'auth')).toBe('digest');
    expect(optionValue(args, 'realm')).toBe('example.com=Example,example.org=Example Org');
    expect(optionValue(args, 'nonce-key-file')).toBe('/etc/presence/auth/nonce-key');
    expect(args).not.toContain('--tls-cert');
    expect(findObject(objects, 'Service', names.of('xcap'))).toBeDefined();
    expect(findObject(objects, 'PodDisruptionBudget', names.of('xcap'))).toBeDefined();
  });

  it('xcap.https serves HTTPS with the chart certificate, and is refused without tls.enabled', () => {
    const https = renderObjects(['-f', valuesFile('tls-and-xcap'), '--set', 'xcap.https=true']);
    const args = onlyContainer(findObject(https, 'Deployment', names.of('xcap')) as Workload).args;
    expect(optionValue(args, 'xcap-listen')).toBe('https:0.0.0.0:8090');
    expect(optionValue(args, 'tls-cert')).toBe('/etc/presence/tls/tls.crt');
    const refused = helmTemplate(['--set', 'xcap.enabled=true,xcap.https=true']);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('set tls.enabled=true too');
  });
});

describe('chart with everything-on values', () => {
  const objects = renderObjects(['-f', valuesFile('everything-on')]);

  it('points the roles at the nats and redis subcharts, the Redis password by reference only', () => {
    for (const workload of [edgeOf(objects), agentOf(objects), findObject(objects, 'Deployment', names.of('xcap')) as Workload]) {
      const env = envOf(workload);
      expect(env.get('PRESENCE_NATS')?.value).toBe(`nats://rel-nats.${NAMESPACE}.svc:4222`);
      expect(env.get('REDIS_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({ name: 'rel-redis', key: 'redis-password' });
      expect(env.get('PRESENCE_REDIS')?.value).toBe(`redis://:$(REDIS_PASSWORD)@rel-redis-master.${NAMESPACE}.svc:6379`);
      // Kubernetes expands $(VAR) only from variables defined earlier in the list.
      const order = (onlyContainer(workload).env ?? []).map((e) => e.name);
      expect(order.indexOf('REDIS_PASSWORD')).toBeLessThan(order.indexOf('PRESENCE_REDIS'));
    }
    const secret = findObject(objects, 'Secret', names.fullname);
    expect(Object.keys(secret.data ?? {})).toEqual(['nonce-key', 'admin-token']);
  });

  it('makes the TLS Secret from the values and rolls the edges when it changes', () => {
    const tls = findObject(objects, 'Secret', `${names.fullname}-tls`);
    expect(tls.type).toBe('kubernetes.io/tls');
    expect(Object.keys(tls.data ?? {}).sort()).toEqual(['tls.crt', 'tls.key']);
    expect(edgeOf(objects).spec.template.metadata.annotations?.['checksum/tls']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('lets the ServiceMonitor find the metrics Service of every role', () => {
    const monitor = findObject(objects, 'ServiceMonitor', names.fullname).spec as { selector: { matchLabels: Record<string, string> }; endpoints: { port: string }[] };
    const metrics = findObject(objects, 'Service', names.of('metrics'));
    expect(Object.entries(monitor.selector.matchLabels).every(([k, v]) => metrics.metadata.labels?.[k] === v)).toBe(true);
    expect(monitor.endpoints.map((e) => e.port)).toEqual((metrics.spec as { ports: { name: string }[] }).ports.map((p) => p.name));
    const selected = workloadsOf(objects).filter((w) => Object.entries((metrics.spec as { selector: Record<string, string> }).selector).every(([k, v]) => w.spec.template.metadata.labels[k] === v));
    expect(selected.map((w) => w.metadata.name).sort()).toEqual([names.of('agent'), names.of('edge'), names.of('xcap')]);
  });

  it('labels every scraped series with the role of its pod, as the dashboards expect', () => {
    const monitor = findObject(objects, 'ServiceMonitor', names.fullname).spec as { endpoints: { relabelings?: unknown[] }[] };
    const role = { sourceLabels: ['__meta_kubernetes_pod_label_app_kubernetes_io_component'], targetLabel: 'role', action: 'replace' };
    for (const endpoint of monitor.endpoints) expect(endpoint.relabelings).toContainEqual(role);
    // The pod label it reads is the role, on every workload.
    for (const workload of workloadsOf(objects)) {
      expect(['edge', 'agent', 'xcap']).toContain(workload.spec.template.metadata.labels['app.kubernetes.io/component']);
    }
  });

  it('renders one ConfigMap per dashboard of dashboards/, labelled for the Grafana sidecar', () => {
    const dashboards = loadDashboards();
    const maps = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1');
    expect(maps.map((m) => m.metadata.name).sort()).toEqual(
      ['presence-agents', 'presence-edges', 'presence-overview', 'presence-store-bus'].map((name) => `${names.fullname}-dashboard-${name}`),
    );
    for (const { file, text } of dashboards) {
      const map = maps.find((m) => m.data?.[file] !== undefined);
      expect(map?.data?.[file], file).toBe(text.trimEnd());
      expect(Object.keys(map?.data ?? {})).toEqual([file]);
    }
  });
});

describe('chart dashboards', () => {
  it('turns every dashboards/*.json into a ConfigMap for the Grafana sidecar', () => {
    const chart = join(mkdtempSync(join(tmpdir(), 'presence-dashboards-')), 'presence-cluster');
    cpSync(chartWithStandInDependencies(), chart, { recursive: true });
    const dashboard = JSON.stringify({ title: 'Team board', panels: [] });
    writeFileSync(join(chart, 'dashboards', 'Team_Board.json'), dashboard);
    const objects = renderObjects(['--set', 'grafanaDashboards.enabled=true'], { chartDir: chart });
    const maps = objects.filter((o) => o.metadata.labels?.grafana_dashboard === '1');
    expect(maps).toHaveLength(loadDashboards().length + 1);
    expect(new Set(maps.map((m) => m.metadata.name)).size).toBe(maps.length);
    const added = maps.filter((m) => m.data?.['Team_Board.json'] !== undefined);
    expect(added.map((m) => m.metadata.name)).toEqual([`${names.fullname}-dashboard-team-board`]);
    expect(added[0]?.data).toEqual({ 'Team_Board.json': dashboard });
    expect(renderObjects([], { chartDir: chart }).some((o) => o.metadata.labels?.grafana_dashboard !== undefined)).toBe(false);
  });
});

describe('chart subchart names', () => {
  it('follows the upstream rule: a release name that contains the chart name is the full name', () => {
    const objects = renderObjects(['--set', 'nats.enabled=true,redis.enabled=true'], { release: 'my-nats' });
    const env = new Map((onlyContainer(objects.find((o) => o.kind === 'Deployment') as Workload).env ?? []).map((e) => [e.name, e.value]));
    expect(env.get('PRESENCE_NATS')).toBe(`nats://my-nats.${NAMESPACE}.svc:4222`);
    expect(env.get('PRESENCE_REDIS')).toBe(`redis://:$(REDIS_PASSWORD)@my-nats-redis-master.${NAMESPACE}.svc:6379`);
  });
});

function workloadsOf(objects: K8sObject[]): Workload[] {
  return objects.filter((o) => o.kind === 'Deployment') as Workload[];
}
