import { PidfError } from '../pidf-error.js';

/** RFC 5261 §5.1 error conditions this code reports. */
export type PatchCondition =
  | 'invalid-attribute-value'
  | 'invalid-diff-format'
  | 'invalid-namespace-prefix'
  | 'invalid-node-types'
  | 'invalid-patch-directive'
  | 'invalid-root-element-operation'
  | 'unlocated-node'
  | 'unsupported-id-function';

/**
 * A patch that cannot be applied (RFC 5261 §5): the condition is the
 * RFC's error element name, and the reason, fit for a SIP reason phrase,
 * starts with it so a client can tell the cases apart.
 */
export class PatchError extends PidfError {
  constructor(
    readonly condition: PatchCondition,
    detail: string,
  ) {
    super('invalid', `Patch failed: <${condition}> ${detail}`);
    this.name = 'PatchError';
  }
}
