import { describe, expect, it } from 'vitest';
import { designatesSameResource } from './digest-uri.js';

const PATH = '/xcap-root/resource-lists/users/sip:carol@example.com/index';

describe('designatesSameResource (RFC 7616 §3.4.6)', () => {
  it('equal origin-form targets match', () => {
    expect(designatesSameResource(PATH, PATH, 'xcap.example.com')).toBe(true);
  });

  it('absolute-form against origin-form matches when the authority is the Host, either way round', () => {
    expect(designatesSameResource(`http://xcap.example.com${PATH}`, PATH, 'xcap.example.com')).toBe(true);
    expect(designatesSameResource(PATH, `http://XCAP.example.com:80${PATH}`, 'xcap.example.com')).toBe(true);
    expect(designatesSameResource(`http://other.example.com${PATH}`, PATH, 'xcap.example.com')).toBe(false);
  });

  it('percent-encoding case and encoded unreserved characters do not matter; an encoded reserved character does', () => {
    const lower = PATH.replace('sip:carol@', 'sip%3acarol%40');
    const upper = PATH.replace('sip:carol@', 'sip%3Acarol%40');
    expect(designatesSameResource(lower, upper, 'h')).toBe(true);
    expect(designatesSameResource(PATH.replace('index', '%69ndex'), PATH, 'h')).toBe(true);
    expect(designatesSameResource(upper, PATH, 'h')).toBe(false);
  });

  it('another path or query, or a target that is neither form, is a mismatch', () => {
    expect(designatesSameResource(PATH.replace('carol', 'mallory'), PATH, 'h')).toBe(false);
    expect(designatesSameResource(`${PATH}?a=1`, PATH, 'h')).toBe(false);
    expect(designatesSameResource('index', PATH, 'h')).toBe(false);
    expect(designatesSameResource('*', '*', 'h')).toBe(false);
  });
});
