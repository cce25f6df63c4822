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

const DOT = 0x2e;
const STAR = 0x2a;
const GREATER = 0x3e;

/**
 * The common case in one pass without splitting: printable ASCII (no white
 * space), no empty token, no wildcard token. Every bus message is checked
 * (each PUBLISH's request, change event and reply), and splitting allocated an
 * array and a string per token. Anything else (non-ASCII included) goes the
 * long way below, which says exactly what is wrong.
 */
function isPlainLiteral(subject: string): boolean {
  const length = subject.length;
  if (length === 0) return false;
  let tokenStart = 0;
  for (let i = 0; i <= length; i++) {
    const code = i < length ? subject.charCodeAt(i) : DOT;
    if (code === DOT) {
      const tokenLength = i - tokenStart;
      if (tokenLength === 0) return false;
      if (tokenLength === 1) {
        const only = subject.charCodeAt(tokenStart);
        if (only === STAR || only === GREATER) return false;
      }
      tokenStart = i + 1;
    } else if (code <= 0x20 || code >= 0x7f) {
      return false;
    }
  }
  return true;
}

/** Throws InvalidSubjectError unless `subject` is a literal subject one may publish to. */
export function checkPublishSubject(subject: string): void {
  if (isPlainLiteral(subject)) return;
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
