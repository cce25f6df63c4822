import { parseOptions, renderHelp, UsageError, type OptionValues } from '@presence/runtime';
import { adminToken } from '../admin/admin-mount.js';
import { CTL_OPTIONS } from '../options.js';

/** One admin API call: method, path below /admin/v1/ (operands percent-encoded) and JSON body. */
export interface CtlCall {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly path: string;
  readonly body?: unknown;
}

interface Subcommand {
  readonly args: string;
  readonly summary: string;
  readonly operands: number | readonly [number, number];
  readonly call: (operands: readonly string[], values: OptionValues) => CtlCall;
}

const enc = encodeURIComponent;
const limited = (path: string, values: OptionValues): string => (values.limit === undefined ? path : `${path}?limit=${values.limit as number}`);

/** kamcmd-style subcommands, each one call of the admin API. */
export const SUBCOMMANDS: Readonly<Record<string, Subcommand>> = {
  cluster: { args: '', summary: 'live agents and the owner of each partition', operands: 0, call: () => ({ method: 'GET', path: 'cluster' }) },
  presentity: {
    args: 'AOR',
    summary: 'composed presence document of AOR and its publications',
    operands: 1,
    call: ([aor], values) => ({ method: 'GET', path: limited(`presentities/${enc(aor!)}`, values) }),
  },
  watchers: { args: 'AOR', summary: 'who watches AOR', operands: 1, call: ([aor], values) => ({ method: 'GET', path: limited(`presentities/${enc(aor!)}/watchers`, values) }) },
  bindings: { args: 'AOR', summary: 'registered contacts of AOR', operands: 1, call: ([aor], values) => ({ method: 'GET', path: limited(`bindings/${enc(aor!)}`, values) }) },
  dialog: { args: 'CALL-ID', summary: 'the subscription dialog(s) of a Call-ID', operands: 1, call: ([callId], values) => ({ method: 'GET', path: limited(`dialogs/${enc(callId!)}`, values) }) },
  drain: {
    args: '',
    summary: 'agent only: hand its partitions over and take no new ones; the process stays up (not ready) until stopped',
    operands: 0,
    call: () => ({ method: 'POST', path: 'drain' }),
  },
  'log-level': {
    args: '[LEVEL]',
    summary: 'show the log level, or set it (debug, info, warn, error, silent) until restart',
    operands: [0, 1],
    call: ([level]) => (level === undefined ? { method: 'GET', path: 'log-level' } : { method: 'PUT', path: 'log-level', body: { level } }),
  },
  tracing: { args: '', summary: 'messages the SIP tracers (--hep, --sip-trace) traced and dropped', operands: 0, call: () => ({ method: 'GET', path: 'tracing' }) },
};

export const CTL_SUMMARY = 'ask a running process (admin API on its --http): cluster, presentity, watchers, bindings, dialog, drain, log-level, tracing';

export function ctlHelp(): string {
  const width = Math.max(...Object.entries(SUBCOMMANDS).map(([name, s]) => `${name} ${s.args}`.length));
  const lines = Object.entries(SUBCOMMANDS).map(([name, s]) => `  ${`${name} ${s.args}`.padEnd(width)}  ${s.summary}`);
  const usage = [
    'usage: presence ctl SUBCOMMAND [ARGS] [--url http://HOST:PORT] [--token TOKEN | --token-file FILE]',
    '',
    'Asks a running presence process through its admin API (/admin/v1/ on its --http',
    'port) and prints the JSON answer. In a cluster any edge or agent answers the reads',
    'for the whole cluster (they share Redis); drain goes to the agent to drain.',
    'AOR: sip:USER@DOMAIN or USER@DOMAIN.',
    '',
    'Subcommands:',
    ...lines,
    '',
    'Exit status: 0 done, 1 refused or failed (the reason on stderr: not found, no such',
    'resource, wrong token, process unreachable), 2 usage error.',
  ].join('\n');
  return renderHelp(usage, CTL_OPTIONS);
}

export interface CtlCommand {
  readonly url: URL;
  readonly token: string | undefined;
  readonly call: CtlCall;
}

/** `presence ctl …` into one call, or a UsageError; undefined when help was asked for. */
export async function parseCtlCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<CtlCommand | undefined> {
  const parsed = parseOptions(CTL_OPTIONS, argv, env);
  const [name, ...operands] = parsed.positionals;
  if (parsed.help || name === undefined) return undefined;
  const subcommand = SUBCOMMANDS[name];
  if (subcommand === undefined) throw new UsageError(`ctl: unknown subcommand "${name}" (one of ${Object.keys(SUBCOMMANDS).join(', ')})`);
  const [min, max] = typeof subcommand.operands === 'number' ? [subcommand.operands, subcommand.operands] : subcommand.operands;
  if (operands.length < min || operands.length > max) throw new UsageError(`ctl ${name}: expected ${subcommand.args || 'no arguments'}, got ${operands.length === 0 ? 'none' : `"${operands.join(' ')}"`}`);
  if (operands.some((operand) => operand === '')) throw new UsageError(`ctl ${name}: an argument must not be empty`);
  const values = parsed.values;
  if (values.token !== undefined && values['token-file'] !== undefined) throw new UsageError('ctl: give --token or --token-file, not both');
  let url: URL;
  try {
    url = new URL(values.url as string);
  } catch {
    throw new UsageError(`ctl: --url: expected http://HOST:PORT, got "${values.url as string}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`ctl: --url: expected http://HOST:PORT, got "${values.url as string}"`);
  const token = (values.token as string | undefined) ?? (await adminToken(values['token-file'] as string | undefined));
  return { url, token, call: subcommand.call(operands, values) };
}
