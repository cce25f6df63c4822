import { describe, expect, it } from 'vitest';
import { parseHostPort } from './host-port.js';
import { parseOptions, renderHelp, UsageError, type OptionTable } from './option-table.js';

const table: OptionTable = {
  listen: { kind: 'string', help: 'where to listen', default: 'udp:127.0.0.1:5060' },
  'notify-min-interval': { kind: 'number', help: 'rate limit', default: '0', min: 0 },
  partitions: { kind: 'integer', help: 'partition count', default: '256', min: 1 },
  verbose: { kind: 'boolean', help: 'chatty' },
};

describe('runtime options', () => {
  it('options - flag beats environment beats default', () => {
    const env = { PRESENCE_NOTIFY_MIN_INTERVAL: '2.5', PRESENCE_LISTEN: 'tcp:0.0.0.0:1' };
    const { values } = parseOptions(table, ['--listen', 'ws:127.0.0.1:8080'], env);
    expect(values).toEqual({ listen: 'ws:127.0.0.1:8080', 'notify-min-interval': 2.5, partitions: 256, verbose: undefined });
  });

  it('options - bad values and unknown flags are usage errors naming the option', () => {
    expect(() => parseOptions(table, ['--partitions', '1.5'], {})).toThrow(/--partitions: expected an integer/);
    expect(() => parseOptions(table, ['--partitions', '0'], {})).toThrow(/at least 1/);
    expect(() => parseOptions(table, [], { PRESENCE_VERBOSE: 'maybe' })).toThrow(/--verbose/);
    expect(() => parseOptions(table, ['--nope'], {})).toThrow(UsageError);
  });

  it('options - help lists every option with its environment variable', () => {
    const help = renderHelp('usage: x', table);
    expect(help).toContain('--notify-min-interval VALUE');
    expect(help).toContain('env PRESENCE_NOTIFY_MIN_INTERVAL, default 0');
    expect(parseOptions(table, ['-h'], {}).help).toBe(true);
  });

  it('host-port - parses IPv4, IPv6 and bare ports, rejects garbage', () => {
    expect(parseHostPort('http', '127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseHostPort('http', '[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(parseHostPort('http', ':80')).toEqual({ host: '0.0.0.0', port: 80 });
    expect(() => parseHostPort('http', 'localhost')).toThrow(/--http: expected HOST:PORT/);
  });
});
