import { parseOptions } from '@presence/runtime';
import { describe, expect, it } from 'vitest';
import { edgeConfigFromOptions } from './edge-config-from-options.js';
import { STANDALONE_OPTIONS } from './options.js';

const userAgentOf = (argv: string[], env: NodeJS.ProcessEnv = {}) => edgeConfigFromOptions(parseOptions(STANDALONE_OPTIONS, argv, env).values).userAgent;

describe('edge config from options', () => {
  it('server header - unset leaves the default to the edge; a name is used as given; empty or --no-server-header turn it off', () => {
    expect(userAgentOf([])).toBeUndefined();
    expect(userAgentOf(['--server-header', 'acme-presence/2.1 (lab)'])).toBe('acme-presence/2.1 (lab)');
    expect(userAgentOf([], { PRESENCE_SERVER_HEADER: 'from-env/1' })).toBe('from-env/1');
    expect(userAgentOf(['--server-header', ''])).toBe(false);
    expect(userAgentOf([], { PRESENCE_SERVER_HEADER: ' ' })).toBe(false);
    expect(userAgentOf(['--no-server-header'])).toBe(false);
    expect(userAgentOf(['--server-header', 'acme/1', '--no-server-header'])).toBe(false);
    expect(userAgentOf([], { PRESENCE_NO_SERVER_HEADER: 'true' })).toBe(false);
  });

  it('server header - CR or LF is a usage error naming the option', () => {
    expect(() => userAgentOf([], { PRESENCE_SERVER_HEADER: 'a\r\nVia: evil' })).toThrow(/--server-header/);
  });
});
