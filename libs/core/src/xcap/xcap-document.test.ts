import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { xcapConditionsHold } from './xcap-document.js';

describe('xcapConditionsHold', () => {
  it('xcap conditions - no conditions always hold', () => {
    expect(xcapConditionsHold(undefined)).toBe(true);
    expect(xcapConditionsHold('a')).toBe(true);
  });

  it('xcap conditions - If-Match needs a document with that tag, or any document for *', () => {
    expect(xcapConditionsHold(undefined, { ifMatch: '*' })).toBe(false);
    expect(xcapConditionsHold(undefined, { ifMatch: 'a' })).toBe(false);
    expect(xcapConditionsHold('a', { ifMatch: '*' })).toBe(true);
    expect(xcapConditionsHold('a', { ifMatch: 'a' })).toBe(true);
    expect(xcapConditionsHold('a', { ifMatch: 'b' })).toBe(false);
  });

  it('xcap conditions - If-None-Match * needs no document, a tag needs a different one', () => {
    expect(xcapConditionsHold(undefined, { ifNoneMatch: '*' })).toBe(true);
    expect(xcapConditionsHold('a', { ifNoneMatch: '*' })).toBe(false);
    expect(xcapConditionsHold('a', { ifNoneMatch: 'a' })).toBe(false);
    expect(xcapConditionsHold('a', { ifNoneMatch: 'b' })).toBe(true);
    expect(xcapConditionsHold(undefined, { ifNoneMatch: 'b' })).toBe(true);
  });

  it('xcap conditions - both conditions must hold (property)', () => {
    const tag = fc.constantFrom('a', 'b', '*');
    fc.assert(
      fc.property(fc.option(fc.constantFrom('a', 'b'), { nil: undefined }), fc.option(tag, { nil: undefined }), fc.option(tag, { nil: undefined }), (current, ifMatch, ifNoneMatch) => {
        const both = xcapConditionsHold(current, { ...(ifMatch === undefined ? {} : { ifMatch }), ...(ifNoneMatch === undefined ? {} : { ifNoneMatch }) });
        const one = xcapConditionsHold(current, ifMatch === undefined ? {} : { ifMatch });
        const other = xcapConditionsHold(current, ifNoneMatch === undefined ? {} : { ifNoneMatch });
        expect(both).toBe(one && other);
      }),
    );
  });
});
