import type { XcapDocumentRef } from '@presence/core';
import { PolicyError } from '../policy-error.js';
import { xcapResourceOf } from '../xcap-diff/xcap-diff-resources.js';

/** One step of an XCAP node selector (RFC 4825 §6.3) as list references use it: by name, then by position or by one attribute. */
export interface SelectorStep {
  /** Local name (a prefix is ignored: resource-lists documents have one namespace). */
  readonly name: string;
  readonly position?: number;
  readonly attribute?: { readonly name: string; readonly value: string };
}

/** A list or entry inside a resource-lists document: the document, and the path to the element from the root's children. */
export interface ListReference {
  readonly document: XcapDocumentRef;
  readonly steps: readonly SelectorStep[];
}

export const RESOURCE_LISTS_AUID = 'resource-lists';
const NODE_SEPARATOR = '/~~/';

/**
 * An XCAP URI naming an element of a resource-lists document (RFC 4826
 * §4.1 `<resource-list>`, §3.2 `<entry-ref>` and `<external>`): relative to
 * the XCAP root (`resource-lists/users/<AOR>/index/~~/resource-lists/list[@name="x"]`)
 * or absolute with `/xcap-root/` in its path (this server's root), percent
 * escapes allowed. Anything else is no document of ours.
 * @throws PolicyError naming the problem.
 */
export function parseListReference(uri: string): ListReference {
  const split = uri.indexOf(NODE_SEPARATOR);
  if (split < 0) throw invalid(uri, 'has no node selector (/~~/)');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.includes('/xcap-root/')) throw invalid(uri, 'is not on this XCAP server');
  let resource;
  try {
    resource = xcapResourceOf(uri.slice(0, split));
  } catch (error) {
    throw invalid(uri, `names no document (${(error as Error).message.replace(/^Invalid xcap-diff subscription: /, '')})`);
  }
  if (resource.auid !== RESOURCE_LISTS_AUID || resource.filename === undefined) throw invalid(uri, 'is not a resource-lists document');
  let selector: string;
  try {
    selector = decodeURIComponent(uri.slice(split + NODE_SEPARATOR.length));
  } catch {
    throw invalid(uri, 'has a malformed escape');
  }
  const steps = splitSteps(selector).map((step) => parseStep(step, uri));
  if (steps.length < 2 || steps[0]!.name !== 'resource-lists') throw invalid(uri, 'does not select inside <resource-lists>');
  return { document: { auid: resource.auid, scope: resource.scope, owner: resource.owner, filename: resource.filename }, steps: steps.slice(1) };
}

/** A reference's identity, for loop detection: the same element named twice is the same key. */
export function referenceKey(reference: ListReference): string {
  const { document: d } = reference;
  const steps = reference.steps.map((s) => `${s.name}[${s.position ?? ''}@${s.attribute?.name ?? ''}=${s.attribute?.value ?? ''}]`);
  return `${d.scope}\u0000${d.owner}\u0000${d.filename}\u0000${steps.join('/')}`;
}

/** Splits on `/` outside brackets and quotes (an attribute value may hold `/`, as SIP URIs rarely do but may). */
function splitSteps(selector: string): string[] {
  const steps: string[] = [];
  let current = '';
  let quote: string | undefined;
  let depth = 0;
  for (const char of selector) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '[') depth++;
    else if (char === ']') depth--;
    else if (char === '/' && depth === 0) {
      steps.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  steps.push(current);
  return steps;
}

const STEP = /^(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)(?:\[(?:(\d+)|@([A-Za-z_][\w.-]*)=(?:"([^"]*)"|'([^']*)'))\])?$/;

function parseStep(step: string, uri: string): SelectorStep {
  const match = STEP.exec(step);
  if (!match) throw invalid(uri, `has a node selector step ${JSON.stringify(step.slice(0, 60))} lists cannot follow`);
  const [, name, position, attribute, double, single] = match;
  if (position !== undefined) {
    const index = Number(position);
    if (index < 1) throw invalid(uri, 'counts positions from 1');
    return { name: name!, position: index };
  }
  if (attribute !== undefined) return { name: name!, attribute: { name: attribute, value: double ?? single ?? '' } };
  return { name: name! };
}

function invalid(uri: string, problem: string): PolicyError {
  return new PolicyError('invalid', `List reference ${JSON.stringify(uri.slice(0, 120))} ${problem}`);
}
