import { describe, expect, it } from 'vitest';
import { bodyProblem, isXmlMediaType } from './body-problem.js';

describe('body-problem', () => {
  it('body - an XML body that is not valid UTF-8 is a 400 reason', () => {
    for (const type of ['application/pidf+xml', 'Application/PIDF+XML; charset=UTF-8', 'application/xml', 'text/xml', 'application/watcherinfo+xml']) {
      expect(bodyProblem(type, false), type).toBe('Body is not valid UTF-8');
      expect(bodyProblem(type, true), type).toBeUndefined();
    }
  });

  it('body - other bodies, and a body without Content-Type, are left to the application', () => {
    expect(bodyProblem(undefined, false)).toBeUndefined();
    expect(bodyProblem('application/octet-stream', false)).toBeUndefined();
    expect(bodyProblem('text/plain', false)).toBeUndefined();
  });

  it('body - XML media types (RFC 7303)', () => {
    expect(isXmlMediaType(' application/xml ;q=1')).toBe(true);
    expect(isXmlMediaType('+xml')).toBe(false);
    expect(isXmlMediaType('application/xmlish')).toBe(false);
    expect(isXmlMediaType('application/sdp')).toBe(false);
  });
});
