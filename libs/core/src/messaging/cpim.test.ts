import { describe, expect, it } from 'vitest';
import { cpimProblem } from './cpim.js';

const crlf = (lines: string[]) => lines.join('\r\n');
const WELL_FORMED = [
  'From: Alice <im:alice@example.com>',
  'To: Bob <im:bob@example.com>',
  'DateTime: 2026-11-29T22:00:00Z',
  'NS: MyFeatures <mid:MessageFeatures@id.example.com>',
  'MyFeatures.VitalMessageOption: Confirmation-requested',
  '',
  'Content-Type: text/plain; charset=utf-8',
  'Content-ID: <1234567890@example.com>',
  '',
  'Hello ✓',
];

describe('message/cpim (RFC 3862)', () => {
  it('cpim - a well-formed body has no problem, with CRLF or LF, an empty content included', () => {
    expect(cpimProblem(crlf(WELL_FORMED))).toBeUndefined();
    expect(cpimProblem(WELL_FORMED.join('\n'))).toBeUndefined();
    expect(cpimProblem(crlf([...WELL_FORMED.slice(0, 9)]))).toBeUndefined();
  });

  it('cpim - each missing part is named', () => {
    expect(cpimProblem(crlf(WELL_FORMED.filter((l) => !l.startsWith('From:'))))).toBe('no From message header');
    expect(cpimProblem(crlf(WELL_FORMED.filter((l) => !l.startsWith('To:'))))).toBe('no To message header');
    expect(cpimProblem(crlf(WELL_FORMED.filter((l) => !l.startsWith('Content-Type'))))).toBe('no Content-Type in the encapsulated MIME headers');
    expect(cpimProblem(crlf(WELL_FORMED.slice(0, 5)))).toBe('no encapsulated MIME object after the message headers');
    expect(cpimProblem(crlf(WELL_FORMED.slice(0, 8)))).toBe('no blank line after the encapsulated MIME headers');
    expect(cpimProblem('')).toBe('empty message header block');
    expect(cpimProblem('just some text')).toBe('malformed message header line 1');
    expect(cpimProblem(crlf(['From: a', 'To: b', '', 'not a header', '', 'x']))).toBe('malformed MIME header line 4');
  });
});
