import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidSubjectError } from '../errors/invalid-subject-error.js';
import { checkPublishSubject, matchesPattern, parsePattern } from './subject-match.js';

const matches = (pattern: string, subject: string): boolean => {
  const tokens = parsePattern(pattern);
  return tokens === undefined ? pattern === subject : matchesPattern(tokens, subject.split('.'));
};

describe('subject-match', () => {
  it('parsePattern - literal subjects have no tokens, wildcard patterns do', () => {
    expect(parsePattern('ps.1.abc')).toBeUndefined();
    expect(parsePattern('ps.*.abc')).toEqual(['ps', '*', 'abc']);
    expect(parsePattern('ps.>')).toEqual(['ps', '>']);
    expect(parsePattern('a*b.c')).toBeUndefined();
  });

  it.each(['', '.', 'a.', '.a', 'a..b', 'a b', 'a.\tb', 'a.>.b', '>.a'])('parsePattern - rejects %j', (pattern) => {
    expect(() => parsePattern(pattern)).toThrow(InvalidSubjectError);
  });

  it.each(['', 'a..b', 'a.*', '>', 'a.>', 'a b'])('checkPublishSubject - rejects %j', (subject) => {
    expect(() => checkPublishSubject(subject)).toThrow(InvalidSubjectError);
  });

  it('checkPublishSubject - accepts literal subjects, also with wildcard characters inside a token', () => {
    expect(() => checkPublishSubject('ps.12.YWxpY2VAZXhhbXBsZS5jb20')).not.toThrow();
    expect(() => checkPublishSubject('a*b.c>')).not.toThrow();
  });

  it.each([
    ['a.*', 'a.b', true],
    ['a.*', 'a', false],
    ['a.*', 'a.b.c', false],
    ['*.b', 'a.b', true],
    ['*', 'a', true],
    ['*', 'a.b', false],
    ['a.>', 'a', false],
    ['a.>', 'a.b', true],
    ['a.>', 'a.b.c', true],
    ['>', 'a', true],
    ['>', 'a.b.c', true],
    ['a.*.>', 'a.b', false],
    ['a.*.>', 'a.b.c', true],
    ['a.*.c', 'a.b.d', false],
    ['a.*.c', 'x.b.c', false],
  ] as const)('matchesPattern - %s against %s is %s', (pattern, subject, expected) => {
    expect(matches(pattern, subject)).toBe(expected);
  });

  it('checkPublishSubject - refuses exactly the subjects that are empty, hold white space, an empty token or a wildcard token', () => {
    const valid = (subject: string): boolean => subject !== '' && !/\s/.test(subject) && subject.split('.').every((token) => token !== '' && token !== '*' && token !== '>');
    const unit = fc.oneof(fc.constantFrom('.', '*', '>', 'a', 'Z', '9', '~', '!', ' ', '\t', '\u007f', '\u0085', '\u00a0', '\u2028', '\u3000', 'é'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 12 }), (subject) => {
        let thrown: unknown;
        try {
          checkPublishSubject(subject);
        } catch (error) {
          thrown = error;
        }
        expect(thrown === undefined).toBe(valid(subject));
        if (thrown !== undefined) expect(thrown).toBeInstanceOf(InvalidSubjectError);
      }),
      { numRuns: 3000 },
    );
  });
});
