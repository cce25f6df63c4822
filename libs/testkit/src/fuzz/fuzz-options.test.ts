import { describe, expect, it } from 'vitest';
import { parseFuzzOptions } from './fuzz-options.js';

describe('npm run fuzz options', () => {
  it('fuzz options - defaults: one minute, fresh seeds, every target', () => {
    expect(parseFuzzOptions([])).toEqual({ minutes: 1, seed: undefined, targets: ['parser', 'pidf', 'policy', 'sip'], scale: undefined });
  });

  it('fuzz options - minutes, a seed to replay, one target, a scale', () => {
    expect(parseFuzzOptions(['--minutes', '30', '--seed', '-12', '--target', 'pidf', '--scale', '2.5'])).toEqual({ minutes: 30, seed: -12, targets: ['pidf'], scale: 2.5 });
    expect(parseFuzzOptions(['--target', 'all', '--minutes', '0'])).toMatchObject({ minutes: 0, targets: ['parser', 'pidf', 'policy', 'sip'] });
  });

  it('fuzz options - a bad option is a message naming it', () => {
    expect(parseFuzzOptions(['--minutes'])).toBe('--minutes needs a value');
    expect(parseFuzzOptions(['--minutes', 'ten'])).toMatch(/--minutes must be a number/);
    expect(parseFuzzOptions(['--minutes', '-1'])).toMatch(/--minutes must be a number of minutes >= 0, not "-1"/);
    expect(parseFuzzOptions(['--seed', '1.5'])).toMatch(/--seed must be an integer/);
    expect(parseFuzzOptions(['--target', 'xcap'])).toBe('--target must be parser, pidf, policy, sip or all, not "xcap"');
    expect(parseFuzzOptions(['--scale', '0'])).toMatch(/--scale must be a number > 0/);
    expect(parseFuzzOptions(['--hours', '1'])).toBe('unknown option --hours');
  });
});
