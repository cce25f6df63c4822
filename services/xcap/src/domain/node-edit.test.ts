import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deleteNode, putElement, renderSelected, selectNode } from './node-edit.js';
import { parseNodeSelector, type NodeSelector } from './node-selector.js';
import { resolveSelector, selectElements } from './node-select.js';
import { XcapFailure } from './xcap-failure.js';
import { parseElement, serializeDocument, type XElement } from './xml-tree.js';

const NS = 'urn:test';
const resolve = (selector: NodeSelector) => resolveSelector(selector, new Map([['t', NS]]), NS);

/** A random tree of <a>/<b>/<c> elements in NS, each with a unique id attribute. */
const tree: fc.Arbitrary<XElement> = subtree(3).map((root) => numbered(element('root', [root])));

function subtree(depth: number): fc.Arbitrary<XElement> {
  const children: fc.Arbitrary<XElement[]> = depth === 0 ? fc.constant([]) : fc.array(subtree(depth - 1), { maxLength: 3 });
  return fc.tuple(fc.constantFrom('a', 'b', 'c'), children).map(([local, kids]) => element(local, kids));
}

function element(local: string, children: XElement[]): XElement {
  return { kind: 'element', prefix: '', local, ns: NS, attributes: [], declarations: [], children };
}

/** Gives every element a unique id, depth first, and declares NS on the root. */
function numbered(root: XElement): XElement {
  let next = 0;
  const visit = (node: XElement): XElement => ({ ...node, attributes: [{ prefix: '', local: 'id', ns: '', value: `n${next++}` }], children: node.children.map((child) => visit(child as XElement)) });
  return { ...visit(root), declarations: [{ prefix: '', uri: NS }] };
}

/** Every element with the position path that selects it (`name[n]` at each step). */
function positionPaths(root: XElement): Array<{ element: XElement; selector: NodeSelector }> {
  const out: Array<{ element: XElement; selector: NodeSelector }> = [];
  const walk = (node: XElement, steps: NodeSelector['steps']): void => {
    out.push({ element: node, selector: { steps } });
    const kids = node.children as XElement[];
    for (const child of kids) {
      const position = kids.filter((k) => k.local === child.local).indexOf(child) + 1;
      walk(child, [...steps, { name: { prefix: '', local: child.local }, position }]);
    }
  };
  walk(root, [{ name: { prefix: '', local: 'root' } }]);
  return out;
}

describe('select, insert and delete on a document tree (RFC 4825 §8)', () => {
  it('property: the position path of any element selects exactly it, and the document survives serialize/parse', () => {
    fc.assert(
      fc.property(tree, (root) => {
        const reparsed = parseElement(serializeDocument(root));
        for (const { element: expected, selector } of positionPaths(reparsed)) {
          const paths = selectElements(reparsed, resolve(selector).steps);
          expect(paths.length).toBe(1);
          expect(paths[0]!.at(-1)).toBe(expected);
        }
        expect(serializeDocument(reparsed)).toBe(serializeDocument(root));
      }),
    );
  });

  it('property: a PUT replacing any non-root element by attribute is selected by the same URI afterwards (idempotent), and a DELETE by id removes exactly one element', () => {
    fc.assert(
      fc.property(tree, fc.nat(), (root, pick) => {
        const candidates = positionPaths(root).slice(1);
        fc.pre(candidates.length > 0);
        const { element: target, selector } = candidates[pick % candidates.length]!;
        const id = target.attributes[0]!.value;
        const last = selector.steps.at(-1)!;
        const byId: NodeSelector = { steps: [...selector.steps.slice(0, -1), { name: last.name!, attribute: { name: { prefix: '', local: 'id' }, value: id } }] };
        const doc = parseElement(serializeDocument(root));
        const replaced = putElement(doc, resolve(byId), byId, (scope) => parseElement(`<${last.name!.local} id="${id}"><fresh/></${last.name!.local}>`, scope));
        expect(replaced.created).toBe(false);
        const node = selectNode(replaced.root, resolve(byId));
        expect(renderSelected(node)).toBe(`<${last.name!.local} xmlns="${NS}" id="${id}"><fresh/></${last.name!.local}>`);
        const before = count(replaced.root);
        deleteNode(replaced.root, resolve(byId));
        expect(count(replaced.root)).toBe(before - 2);
        expect(selectElements(replaced.root, resolve(byId).steps)).toEqual([]);
      }),
    );
  });

  it('property: inserting name[k+1] under a parent with k like-named children creates it at that position', () => {
    fc.assert(
      fc.property(tree, fc.nat(), fc.constantFrom('a', 'b', 'c'), (root, pick, local) => {
        const parents = positionPaths(root);
        const { element: parent, selector } = parents[pick % parents.length]!;
        const k = (parent.children as XElement[]).filter((child) => child.local === local).length;
        const uri: NodeSelector = { steps: [...selector.steps, { name: { prefix: '', local }, position: k + 1 }] };
        const doc = parseElement(serializeDocument(root));
        const result = putElement(doc, resolve(uri), uri, (scope) => parseElement(`<${local} id="new"/>`, scope));
        expect(result.created).toBe(true);
        const node = selectNode(result.root, resolve(uri));
        expect(node.kind === 'element' && node.path.at(-1)!.attributes[0]!.value).toBe('new');
      }),
    );
  });

  it('an orphan PUT is <no-parent>, deleting the root is <cannot-delete>, namespace bindings are read only (405)', () => {
    const doc = parseElement(`<root xmlns="${NS}" xmlns:x="urn:x"><a id="1"/></root>`);
    const orphan = parseNodeSelector('root/b/c');
    expect(() => putElement(doc, resolve(orphan), orphan, (scope) => parseElement('<c/>', scope))).toThrow(expect.objectContaining({ conflict: expect.objectContaining({ kind: 'no-parent', ancestor: '/~~/root' }) }));
    expect(() => deleteNode(doc, resolve(parseNodeSelector('root')))).toThrow(expect.objectContaining({ conflict: expect.objectContaining({ kind: 'cannot-delete' }) }));
    expect(() => deleteNode(doc, resolve(parseNodeSelector('root/namespace::*')))).toThrow(expect.objectContaining({ status: 405 }));
    expect(renderSelected(selectNode(doc, resolve(parseNodeSelector('root/a/namespace::*'))))).toBe(`<a xmlns="${NS}" xmlns:x="urn:x"/>`);
    expect(() => selectNode(doc, resolve(parseNodeSelector('root/z')))).toThrow(XcapFailure);
  });
});

function count(node: XElement): number {
  return 1 + node.children.filter((child): child is XElement => child.kind === 'element').reduce((sum, child) => sum + count(child), 0);
}
