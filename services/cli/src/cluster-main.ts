import { parseOptions, renderHelp, UsageError, type OptionTable } from '@presence/runtime';
import { binaryGate, startLocalCluster, type LocalCluster } from '@presence/dev-tools';

/**
 * `npm run cluster`: a cluster to try on one machine — its own nats-server
 * and redis-server (from PATH) on free ports, presence agents and edges as
 * separate processes on fixed, predictable SIP ports. Ctrl-C stops all of it.
 */
const OPTIONS: OptionTable = {
  edges: { kind: 'integer', placeholder: 'N', default: '2', min: 1, help: 'Number of SIP edges.' },
  agents: { kind: 'integer', placeholder: 'N', default: '2', min: 1, help: 'Number of presence agents.' },
  'sip-port': { kind: 'integer', placeholder: 'PORT', default: '5060', min: 1, help: 'UDP/TCP port of the first edge; edge i listens on PORT+2i (WebSocket on 8080+i).' },
  'http-port': { kind: 'integer', placeholder: 'PORT', default: '9464', min: 1, help: 'Metrics port of the first process; the others follow.' },
  auth: {
    kind: 'string',
    placeholder: 'MODE',
    default: 'none',
    help: 'none (the edges listen on loopback only) or digest: users from "presence user add AOR --redis URL" with the Redis URL printed at start.',
  },
};

async function main(): Promise<void> {
  const { values, help } = parseOptions(OPTIONS, process.argv.slice(2), process.env);
  if (help) {
    process.stdout.write(`${renderHelp('usage: npm run cluster -- [options]', OPTIONS)}\n`);
    return;
  }
  for (const binary of ['nats-server', 'redis-server']) {
    const gate = binaryGate(binary, `apt-get install ${binary}`);
    if (!gate.available) throw new UsageError(gate.reason);
  }
  const edges = values.edges as number;
  const agents = values.agents as number;
  const sip = values['sip-port'] as number;
  const http = values['http-port'] as number;
  const auth = values.auth as string;
  if (auth !== 'none' && auth !== 'digest') throw new UsageError(`--auth: expected digest or none, got "${auth}"`);
  process.stdout.write(`starting nats-server, redis-server, ${agents} agents and ${edges} edges...\n`);
  const cluster = await startLocalCluster({
    edges,
    agents,
    partitions: 256,
    logLevel: 'info',
    auth,
    edgePorts: Array.from({ length: edges }, (_, i) => ({ sip: sip + 2 * i, ws: 8080 + i, http: http + i })),
    agentHttpPorts: Array.from({ length: agents }, (_, i) => http + edges + i),
  });
  process.stdout.write(describe(cluster, auth));
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping the cluster...\n');
    cluster.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`cluster: stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function describe(cluster: LocalCluster, auth: 'none' | 'digest'): string {
  const lines = ['', `NATS   ${cluster.nats.url}`, `Redis  ${cluster.redis.url}`];
  for (const edge of cluster.edges) {
    lines.push(`edge   ${edge.process.id.padEnd(8)} SIP udp/tcp 127.0.0.1:${edge.sipPort}  ws 127.0.0.1:${edge.wsPort}  metrics ${edge.process.httpUrl}/metrics`);
  }
  for (const agent of cluster.agents) lines.push(`agent  ${agent.id.padEnd(8)} metrics ${agent.httpUrl}/metrics`);
  lines.push(
    '',
    auth === 'digest'
      ? `Digest authentication is on: add users with  npx presence user add sip:alice@example.com --redis ${cluster.redis.url}`
      : 'Authentication is off (--auth none): anyone reaching these loopback ports may act for any AOR.',
    'Ctrl-C stops everything.',
    '',
  );
  return lines.join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`cluster: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
