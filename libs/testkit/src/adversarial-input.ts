/**
 * Runs of one character or a short pattern, the inputs on which a
 * backtracking parser goes quadratic or worse: whitespace, quotes,
 * separators, nested brackets, escapes.
 */
const RUNS: Readonly<Record<string, string>> = {
  spaces: ' ',
  tabs: '\t ',
  quotes: '"',
  'escaped quotes': '\\"',
  semicolons: ';',
  'semicolon params': ';a',
  equals: '=',
  commas: ',',
  colons: ':',
  ats: '@',
  letters: 'a',
  labels: 'a.',
  'less-than': '<',
  'greater-than': '>',
  'nested name-addrs': '<sip:',
  backslashes: '\\',
  'escaped controls': '\\\u0001',
  percents: '%',
  brackets: '[',
};

/**
 * Every run, `length` characters long, in every context `wrap` gives (e.g.
 * inside a URI, after a display name), as [label, value] pairs. A parser
 * test feeds each to the parser and asserts it returns or refuses: with a
 * linear parser that takes milliseconds, with a quadratic one minutes.
 */
export function adversarialInputs(wrap: Readonly<Record<string, (run: string) => string>>, length = 100_000): [string, string][] {
  const out: [string, string][] = [];
  for (const [runName, unit] of Object.entries(RUNS)) {
    const run = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
    for (const [context, wrapper] of Object.entries(wrap)) out.push([`${runName} ${context}`, wrapper(run)]);
  }
  return out;
}
