import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatNodeSelector, parseNodeSelector, type NodeSelector, type QName } from './node-selector.js';
import { XcapFailure } from './xcap-failure.js';

const ncname = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9._-]{0,8}$/);
const qname: fc.Arbitrary<QName> = fc.record({ prefix: fc.oneof(fc.constant(''), ncname), local: ncname });
const attValue = fc.string({ maxLength: 12 }).filter((value) => !/[\uD800-\uDFFF\u0000]/.test(value));
const step = fc.record(
  { name: qname, position: fc.integer({ min: 1, max: 999 }), attribute: fc.record({ name: qname, value: attValue }) },
  { requiredKeys: [] },
);
const selector: fc.Arbitrary<NodeSelector> = fc.record(
  {
    steps: fc.array(step, { minLength: 1, maxLength: 5 }),
    terminal: fc.oneof(fc.record({ kind: fc.constant('attribute' as const), name: qname }), fc.constant({ kind: 'namespaces' as const })),
  },
  { requiredKeys: ['steps'] },
);

describe('parseNodeSelector (RFC 4825 §6.3)', () => {
  it('reads every step form and terminal', () => {
    expect(parseNodeSelector('resource-lists/list[@name="friends"]/entry[2]/@uri')).toEqual({
      steps: [{ name: { prefix: '', local: 'resource-lists' } }, { name: { prefix: '', local: 'list' }, attribute: { name: { prefix: '', local: 'name' }, value: 'friends' } }, { name: { prefix: '', local: 'entry' }, position: 2 }],
      terminal: { kind: 'attribute', name: { prefix: '', local: 'uri' } },
    });
    expect(parseNodeSelector("r:a/*[3][@x:id='a&quot;b']/namespace::*")).toEqual({
      steps: [{ name: { prefix: 'r', local: 'a' } }, { position: 3, attribute: { name: { prefix: 'x', local: 'id' }, value: 'a"b' } }],
      terminal: { kind: 'namespaces' },
    });
  });

  it('refuses with a 400 naming the problem', () => {
    for (const [text, problem] of [
      ['a/@b/c', 'nothing may follow'],
      ['a[0]', 'not a positive integer'],
      ['a[@b=c]', 'quoted attribute value'],
      ['a[@b="c"', 'expected "]"'],
      ['@b', 'no element step'],
      ['a/', 'expected element name'],
      ['a[@b="x&y"]', 'starts no reference'],
    ] as const) {
      expect(() => parseNodeSelector(text), text).toThrow(problem);
    }
  });

  it('property: format then parse gives the selector back', () => {
    fc.assert(
      fc.property(selector, (written) => {
        expect(parseNodeSelector(formatNodeSelector(written))).toEqual(written);
      }),
    );
  });

  it('property: any text is read or refused with a 400, never another error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), selector.map(formatNodeSelector).map((text) => text.slice(0, text.length - 1))), (text) => {
        try {
          parseNodeSelector(text);
        } catch (error) {
          expect(error).toBeInstanceOf(XcapFailure);
          expect((error as XcapFailure).status).toBe(400);
        }
      }),
    );
  });
});
