import { InvalidSubjectError } from '../errors/invalid-subject-error.js';

/*
 * NATS subject syntax: dot-separated non-empty tokens without white space.
 * In a subscription pattern a token `*` matches exactly one token and a last
 * token `>` matches one or more trailing tokens.
 */

const WHITE_SPACE = /\s/;

function splitTokens(subject: string): string[] {
  if (subject.length === 0) throw new InvalidSubjectError(subject, 'empty');
  if (WHITE_SPACE.test(subject)) throw new InvalidSubjectError(subject, 'contains white space');
  const tokens = subject.split('.');
  for (const token of tokens) {
    if (token.length === 0) throw new InvalidSubjectError(subject, 'empty token');
  }
  return tokens;
}

/** Throws InvalidSubjectError unless `subject` is a literal subject one may publish to. */
export function checkPublishSubject(subject: string): void {
  for (const token of splitTokens(subject)) {
    if (token === '*' || token === '>') throw new InvalidSubjectError(subject, 'wildcard in a published subject');
  }
}

/**
 * Validates a subscription pattern; returns its tokens when it holds a
 * wildcard, undefined when it is a literal subject (matched by equality).
 */
export function parsePattern(pattern: string): readonly string[] | undefined {
  const tokens = splitTokens(pattern);
  let wildcard = false;
  tokens.forEach((token, i) => {
    if (token === '>') {
      if (i !== tokens.length - 1) throw new InvalidSubjectError(pattern, '`>` must be the last token');
      wildcard = true;
    } else if (token === '*') {
      wildcard = true;
    }
  });
  return wildcard ? tokens : undefined;
}

/** True when the wildcard pattern (as tokens) matches the subject (as tokens). */
export function matchesPattern(pattern: readonly string[], subject: readonly string[]): boolean {
  const last = pattern.length - 1;
  for (let i = 0; i <= last; i++) {
    const token = pattern[i];
    if (token === '>') return subject.length > i; // one or more remaining tokens
    if (i >= subject.length) return false;
    if (token !== '*' && token !== subject[i]) return false;
  }
  return subject.length === pattern.length;
}
