import { parseOptions, productToken, renderHelp, UsageError, type OptionTable, type OptionValues } from '@presence/runtime';
import { sendCtl } from './ctl/ctl-client.js';
import { CTL_SUMMARY, ctlHelp, parseCtlCommand } from './ctl/ctl-command.js';
import { AGENT_ROLE_OPTIONS, EDGE_OPTIONS, STANDALONE_OPTIONS, XCAP_ROLE_OPTIONS } from './options.js';
import { runAgent } from './roles/agent-role.js';
import { runEdge } from './roles/edge-role.js';
import { runStandalone } from './roles/standalone-role.js';
import { runXcap } from './roles/xcap-role.js';
import { parseUserCommand, runUserCommand, USER_SUMMARY, userHelp } from './user/user-command.js';
import { openUserStoreTarget } from './user/user-store-target.js';

const ROLES: Record<string, { summary: string; options: OptionTable; run: (values: OptionValues) => Promise<void> }> = {
  standalone: {
    summary: 'every role in one process (in-process bus and memory store unless --nats / --redis)',
    options: STANDALONE_OPTIONS,
    run: runStandalone,
  },
  edge: {
    summary: 'stateless SIP edge of a cluster (NATS + Redis)',
    options: EDGE_OPTIONS,
    run: runEdge,
  },
  agent: {
    summary: 'presence agent of a cluster: serves the partitions it holds leases for (NATS + Redis)',
    options: AGENT_ROLE_OPTIONS,
    run: runAgent,
  },
  xcap: {
    summary: 'XCAP server of a cluster (RFC 4825; documents in Redis, changes announced on NATS)',
    options: XCAP_ROLE_OPTIONS,
    run: runXcap,
  },
};

function usage(): string {
  const roles = Object.entries(ROLES).map(([name, role]) => `  ${name.padEnd(12)} ${role.summary}`);
  return [
    'usage: presence ROLE [options]',
    '       presence user COMMAND [AOR] [options]',
    '       presence ctl SUBCOMMAND [ARGS] [--url URL] [--token-file FILE]',
    '       presence --version',
    '',
    'Roles:',
    ...roles,
    '',
    'Commands:',
    `  ${'user'.padEnd(12)} ${USER_SUMMARY}`,
    `  ${'ctl'.padEnd(12)} ${CTL_SUMMARY}`,
    '',
    'Run "presence ROLE --help" for the options of a role, "presence user --help" for users,',
    '"presence ctl --help" for the subcommands of ctl.',
  ].join('\n');
}

/** `presence user …`: one change or read of the users, then exit (0, or a thrown error: 2 usage, 1 failure). */
async function user(argv: readonly string[]): Promise<number> {
  const command = parseUserCommand(argv, process.env);
  if (command === undefined) {
    process.stdout.write(`${userHelp()}\n`);
    return 0;
  }
  const target = await openUserStoreTarget(command.values, command.action);
  try {
    await runUserCommand(command, { store: target.store, password: { stdin: process.stdin, prompts: process.stderr }, out: process.stdout, err: process.stderr });
  } finally {
    await target.close();
  }
  return 0;
}

/** `presence ctl …`: one admin API call; prints its JSON answer (stdout) or its refusal (stderr, exit 1). */
async function ctl(argv: readonly string[]): Promise<number> {
  const command = await parseCtlCommand(argv, process.env);
  if (command === undefined) {
    process.stdout.write(`${ctlHelp()}\n`);
    return 0;
  }
  const answer = await sendCtl(command);
  if (answer.status >= 200 && answer.status < 300) {
    process.stdout.write(`${JSON.stringify(answer.body, null, 2)}\n`);
    return 0;
  }
  const reason = (answer.body as { error?: unknown } | null)?.error;
  process.stderr.write(`presence ctl: ${answer.status} ${typeof reason === 'string' ? reason : JSON.stringify(answer.body)}\n`);
  return 1;
}

function printVersion(): number {
  process.stdout.write(`${productToken()}\n`);
  return 0;
}

async function main(argv: readonly string[]): Promise<number> {
  const [roleName, ...rest] = argv;
  if (roleName === undefined || roleName === '--help' || roleName === '-h') {
    process.stdout.write(`${usage()}\n`);
    return roleName === undefined ? 2 : 0;
  }
  if (roleName === '--version' || roleName === '-V') return printVersion();
  if (roleName === 'user') return user(rest);
  if (roleName === 'ctl') return ctl(rest);
  const role = ROLES[roleName];
  if (!role) {
    process.stderr.write(`presence: unknown role "${roleName}"\n\n${usage()}\n`);
    return 2;
  }
  const parsed = parseOptions(role.options, rest, process.env);
  if (parsed.version) return printVersion();
  if (parsed.help) {
    process.stdout.write(`${renderHelp(`usage: presence ${roleName} [options]\n\n${role.summary}`, role.options)}\n`);
    return 0;
  }
  if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument "${parsed.positionals[0]}"`);
  await role.run(parsed.values);
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    const message = error instanceof UsageError ? error.message : error instanceof Error ? error.message : String(error);
    process.stderr.write(`presence: ${message}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
