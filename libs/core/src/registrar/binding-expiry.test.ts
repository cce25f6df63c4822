import { describe, expect, it } from 'vitest';
import type { Binding } from '../model/binding.js';
import { bindingExpiresIn } from './binding-expiry.js';

const binding = (expiresAt: number): Binding => ({
  contact: 'sip:a@h',
  contactKey: 'sip:a@h:5060',
  expiresAt,
  callId: 'c',
  cseq: 1,
  edgeId: 'e',
});

describe('bindingExpiresIn', () => {
  it('bindingExpiresIn - gives whole seconds left, rounded up', () => {
    expect(bindingExpiresIn(binding(10_000), 0)).toBe(10);
    expect(bindingExpiresIn(binding(10_001), 0)).toBe(11);
    expect(bindingExpiresIn(binding(1), 0)).toBe(1);
  });

  it('bindingExpiresIn - is 0 once lapsed', () => {
    expect(bindingExpiresIn(binding(1000), 1000)).toBe(0);
    expect(bindingExpiresIn(binding(1000), 5000)).toBe(0);
  });
});
