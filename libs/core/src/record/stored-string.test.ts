import { describe, expect, it } from 'vitest';
import { flatString, sharedString } from './stored-string.js';

describe('stored strings', () => {
  it('sharedString - the same characters for any value, property-like names and array indexes included', () => {
    for (const value of ['sip:alice@example.com', '', '__proto__', 'constructor', 'toString', '0', '4294967294', '4294967295', '01', '-1', 'presence;id=1']) {
      expect(sharedString(value)).toBe(value);
    }
  });

  it('sharedString - a value built from parts (a rope, a slice of a message) comes back equal', () => {
    const message = `SUBSCRIBE sip:${'bob'}@example.com SIP/2.0`;
    const uri = message.slice(10, message.indexOf(' SIP/'));
    expect(sharedString(uri)).toBe('sip:bob@example.com');
    expect(sharedString('sip:' + 'carol' + '@example.com')).toBe('sip:carol@example.com');
  });

  it('flatString - the same characters', () => {
    expect(flatString('a' + 'b'.repeat(20))).toBe(`a${'b'.repeat(20)}`);
  });
});
