import { describe, expect, it } from 'vitest';
import { evaluateRules } from './evaluate-rules.js';
import { parsePresRules } from './parse-pres-rules.js';
import { renderPresRules } from './render-pres-rules.js';
import { EVERYTHING_PROVIDED, viewKey } from './transformations.js';

describe('renderPresRules', () => {
  it('render pres-rules - what is written reads back: a domain allowed everything sees the whole document, a one-id block blocks', () => {
    const ruleset = parsePresRules(
      renderPresRules([
        { id: 'friends', domain: 'example.com', subHandling: 'allow', provide: 'everything' },
        { id: 'ex', ids: ['sip:ex@example.com'], subHandling: 'block' },
      ]),
    );
    const now = 0;
    const friend = evaluateRules(ruleset, { watcher: 'sip:bob@example.com', now }, 'confirm');
    expect(friend).toMatchObject({ subHandling: 'allow', viewKey: viewKey(EVERYTHING_PROVIDED) });
    // The most permissive matching rule wins (RFC 4745 §10): a block on one id under an allowed domain loses.
    expect(evaluateRules(ruleset, { watcher: 'sip:ex@example.com', now }, 'confirm').subHandling).toBe('allow');
    expect(evaluateRules(ruleset, { watcher: 'sip:eve@other.org', now }, 'confirm')).toMatchObject({ subHandling: 'confirm', byDefault: true });
  });

  it('render pres-rules - services by class keep every person and device and their attributes', () => {
    const [rule] = parsePresRules(renderPresRules([{ id: 'work', domain: '', subHandling: 'allow', provide: { serviceClasses: ['business', 'a<b'] } }])).rules;
    expect(rule?.transformations.services).toMatchObject({ all: false, classes: ['a<b', 'business'] });
    expect(rule?.transformations).toMatchObject({ persons: { all: true }, devices: { all: true }, allAttributes: true });
  });
});
