import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { collectRegexes, sourceFiles } from './collect-regexes.js';

// recheck's own JavaScript build (Scala.js), not its native binary or JAR: the
// same analysis on every machine, no child process, nothing downloaded.
process.env['RECHECK_BACKEND'] = 'pure';
const { check } = await import('recheck');

/**
 * Every regular expression of the code that reads network input (SIP wire
 * and stack, SIP-URI and domain grammar, PIDF, credentials, the edge) goes
 * through recheck, a ReDoS analyser (automata theory where the pattern
 * allows, guided fuzzing for look-arounds). A pattern it finds super-linear
 * on some input fails the test with the attack string; so does one it cannot
 * decide, and a `new RegExp` whose pattern is not a constant. Limits are
 * step counts, not wall time, and the fuzzer's seed is fixed: the verdict is
 * the same on a busy machine.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const CHECKED = ['libs/sip/src', 'libs/core/src', 'libs/pidf/src', 'libs/auth/src', 'services/edge/src'];
const files = CHECKED.flatMap((dir) => sourceFiles(`${root}${dir}`));
const { found, opaque } = collectRegexes(root, files);

describe('regular expressions', () => {
  it('redos - the scan finds the regexes of the checked sources (it is not silently empty)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(found.length).toBeGreaterThan(20);
    expect(found.map((r) => `${r.where} /${r.source}/${r.flags}`)).toContain(
      found.find((r) => r.where.startsWith('libs/sip/src/wire/parse-message.ts') && r.source.startsWith('^SIP'))?.where + ' /^SIP\\/[0-9]+\\.[0-9]+$/i',
    );
  });

  it('redos - no `new RegExp` takes a pattern that is not a constant', () => {
    expect(opaque).toEqual([]);
  });

  it('redos - recheck finds every regex safe (linear matching time)', async () => {
    const verdicts: string[] = [];
    for (const regex of found) {
      const diagnostics = await check(regex.source, regex.flags, {
        timeout: null,
        attackTimeout: null,
        incubationTimeout: null,
        recallTimeout: -1, // recall validation runs the attack in a real engine: not in the pure build
        randomSeed: 4475,
      });
      if (diagnostics.status === 'safe') continue;
      const detail =
        diagnostics.status === 'vulnerable'
          ? `${diagnostics.complexity.summary}, attack ${diagnostics.attack.pattern}`
          : `undecided: ${diagnostics.error.kind}${'message' in diagnostics.error ? ` ${diagnostics.error.message}` : ''}`;
      verdicts.push(`${regex.where} /${regex.source}/${regex.flags}: ${detail}`);
    }
    expect(verdicts).toEqual([]);
  }, 120_000);
});
