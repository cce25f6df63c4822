import { UnsupportedUriSchemeError } from '@presence/core';
import { describe, expect, it } from 'vitest';
import { checkRequestUriScheme } from './request-uri-scheme.js';

describe('request-uri-scheme', () => {
  it('scheme - sip and sips, in any case, are served', () => {
    for (const uri of ['sip:a@example.com', 'sips:a@example.com', 'SIP:example.com', 'Sips:a@b;transport=tcp']) {
      expect(() => checkRequestUriScheme(uri), uri).not.toThrow();
    }
  });

  it('scheme - any other scheme is 416 naming it, pres: and im: included', () => {
    for (const [uri, scheme] of [['http://x', 'http'], ['tel:+123', 'tel'], ['pres:a@example.com', 'pres'], ['IM:a@example.com', 'im'], ['sipx:a@b', 'sipx']]) {
      let caught: unknown;
      try {
        checkRequestUriScheme(uri as string);
      } catch (error) {
        caught = error;
      }
      expect(caught, uri).toBeInstanceOf(UnsupportedUriSchemeError);
      expect((caught as UnsupportedUriSchemeError).status).toBe(416);
      expect((caught as UnsupportedUriSchemeError).reason).toBe(`Unsupported URI Scheme: ${scheme}`);
    }
  });
});
