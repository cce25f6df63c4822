import { parseArgs } from 'node:util';

export type OptionKind = 'string' | 'integer' | 'number' | 'boolean';

export interface OptionSpec {
  readonly kind: OptionKind;
  readonly help: string;
  /** Shown in help; used when neither the flag nor the environment variable is set. */
  readonly default?: string;
  /** Value placeholder in help, e.g. SECONDS. */
  readonly placeholder?: string;
  readonly min?: number;
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;
export type OptionValues = Record<string, string | number | boolean | undefined>;

/** A command-line problem worth showing to the user as is. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `--notify-min-interval` is also read from PRESENCE_NOTIFY_MIN_INTERVAL. */
export function envName(option: string): string {
  return `PRESENCE_${option.toUpperCase().replace(/-/g, '_')}`;
}

/**
 * Parses flags (Node's own util.parseArgs), falling back to PRESENCE_* variables,
 * then to defaults, and converts each value to its kind, naming the offender.
 */
export function parseOptions(
  table: OptionTable,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): { values: OptionValues; help: boolean; version: boolean; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        // Like --help, a flag only: no PRESENCE_VERSION variable, which an image may well set for itself.
        version: { type: 'boolean', short: 'V' },
        ...Object.fromEntries(Object.entries(table).map(([name, spec]) => [name, { type: spec.kind === 'boolean' ? 'boolean' : 'string' } as const])),
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const values: OptionValues = {};
  for (const [name, spec] of Object.entries(table)) {
    const given = (parsed.values as Record<string, string | boolean | undefined>)[name];
    const raw = given ?? env[envName(name)] ?? spec.default;
    values[name] = raw === undefined ? undefined : convert(name, spec, raw);
  }
  return { values, help: parsed.values.help === true, version: parsed.values.version === true, positionals: parsed.positionals };
}

function convert(name: string, spec: OptionSpec, raw: string | boolean): string | number | boolean {
  if (spec.kind === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off|)$/i.test(raw)) return false;
    throw new UsageError(`--${name}: expected true or false, got "${raw}"`);
  }
  const text = String(raw);
  if (spec.kind === 'string') return text;
  const value = Number(text);
  const ok = text.trim() !== '' && Number.isFinite(value) && (spec.kind === 'number' || Number.isInteger(value));
  if (!ok) throw new UsageError(`--${name}: expected ${spec.kind === 'integer' ? 'an integer' : 'a number'}, got "${text}"`);
  if (spec.min !== undefined && value < spec.min) throw new UsageError(`--${name}: must be at least ${spec.min}, got ${value}`);
  return value;
}

export function renderHelp(usage: string, table: OptionTable): string {
  const lines = [usage, '', 'Options (each also settable by the environment variable shown):'];
  for (const [name, spec] of Object.entries(table)) {
    const flag = `--${name}${spec.kind === 'boolean' ? '' : ` ${spec.placeholder ?? 'VALUE'}`}`;
    lines.push(`  ${flag}`);
    lines.push(`      ${spec.help}`);
    lines.push(`      env ${envName(name)}${spec.default !== undefined && spec.default !== '' ? `, default ${spec.default}` : ''}`);
  }
  lines.push('  -h, --help', '      Show this help.', '  -V, --version', '      Print the version and exit.');
  return lines.join('\n');
}
