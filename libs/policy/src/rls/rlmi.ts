import { escapeAttribute, escapeText } from '@presence/pidf';
import { RLMI_NS } from '../namespaces.js';

export const RLMI_CONTENT_TYPE = 'application/rlmi+xml';

/** RFC 4662 §5.2: a resource instance's subscription state; `reason` only when terminated, `cid` names its body part. */
export interface RlmiInstance {
  readonly id: string;
  readonly state: 'active' | 'pending' | 'terminated';
  readonly reason?: string;
  readonly cid?: string;
}

export interface RlmiResource {
  readonly uri: string;
  readonly name?: string;
  readonly instances: readonly RlmiInstance[];
}

/** RFC 4662 §5.2 `<list>`: the list URI, the version (per subscription, +1 each NOTIFY), full or partial state. */
export interface RlmiList {
  readonly uri: string;
  readonly version: number;
  readonly fullState: boolean;
  readonly resources: readonly RlmiResource[];
}

/**
 * The Resource List Meta-Information document (RFC 4662 §5): the root part
 * of a list NOTIFY, naming each resource (all of them in full state, the
 * changed ones in partial state) with its instance and where its state is.
 */
export function renderRlmi(list: RlmiList): string {
  const parts = [`<?xml version="1.0" encoding="UTF-8"?>\n<list xmlns="${RLMI_NS}" uri="${escapeAttribute(list.uri)}" version="${list.version}" fullState="${list.fullState}">`];
  for (const resource of list.resources) {
    parts.push(`<resource uri="${escapeAttribute(resource.uri)}">`);
    if (resource.name !== undefined) parts.push(`<name>${escapeText(resource.name)}</name>`);
    for (const instance of resource.instances) {
      let attributes = `id="${escapeAttribute(instance.id)}" state="${instance.state}"`;
      if (instance.state === 'terminated' && instance.reason !== undefined) attributes += ` reason="${escapeAttribute(instance.reason)}"`;
      if (instance.cid !== undefined) attributes += ` cid="${escapeAttribute(instance.cid)}"`;
      parts.push(`<instance ${attributes}/>`);
    }
    parts.push('</resource>');
  }
  parts.push('</list>\n');
  return parts.join('\n');
}
