import { createLogger, parseHostPort, parseOptions, renderHelp, runUntilSignal, UsageError, type LogLevel, type OptionTable, type OptionValues } from '@presence/runtime';
import { startStandalone } from '@presence/standalone';
import { edgeConfigFromOptions } from './edge-config-from-options.js';
import { STANDALONE_OPTIONS } from './options.js';

const ROLES: Record<string, { summary: string; options: OptionTable; run: (values: OptionValues) => Promise<void> }> = {
  standalone: {
    summary: 'every role in one process on an in-process bus and memory store',
    options: STANDALONE_OPTIONS,
    run: runStandalone,
  },
};

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

function usage(): string {
  const roles = Object.entries(ROLES).map(([name, role]) => `  ${name.padEnd(12)} ${role.summary}`);
  return ['usage: presence ROLE [options]', '', 'Roles:', ...roles, '', 'Run "presence ROLE --help" for the options of a role.'].join('\n');
}

async function runStandalone(values: OptionValues): Promise<void> {
  const level = values['log-level'] as LogLevel;
  if (!LOG_LEVELS.includes(level)) throw new UsageError(`--log-level: expected one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  const logger = createLogger({ level, name: 'presence' });
  const http = values.http === 'off' ? undefined : parseHostPort('http', values.http as string);
  const server = await startStandalone({
    edge: edgeConfigFromOptions(values),
    http,
    dataDir: (values['data-dir'] as string | undefined) || undefined,
    logger,
  });
  runUntilSignal(server, logger);
}

async function main(argv: readonly string[]): Promise<number> {
  const [roleName, ...rest] = argv;
  if (roleName === undefined || roleName === '--help' || roleName === '-h') {
    process.stdout.write(`${usage()}\n`);
    return roleName === undefined ? 2 : 0;
  }
  const role = ROLES[roleName];
  if (!role) {
    process.stderr.write(`presence: unknown role "${roleName}"\n\n${usage()}\n`);
    return 2;
  }
  const parsed = parseOptions(role.options, rest, process.env);
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
