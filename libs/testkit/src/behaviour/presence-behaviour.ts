import type { TransportName } from '@presence/sip';
import { describe } from 'vitest';
import { compositionBehaviour } from './composition.behaviour.js';
import { useSuiteContext, type PresenceTarget } from './harness.js';
import { publishBehaviour } from './publish.behaviour.js';
import { registrarBehaviour } from './registrar.behaviour.js';
import { subscribeBehaviour } from './subscribe.behaviour.js';

export type { PresenceTarget } from './harness.js';

/**
 * The foundation's complete behaviour list, end to end over real sockets of
 * one transport, against any running presence service (standalone now, the
 * cluster later: same suite, another `start`).
 */
export function presenceBehaviourSuite(name: string, transport: TransportName, start: () => Promise<PresenceTarget>): void {
  describe(`${name} over ${transport}`, () => {
    const ctx = useSuiteContext(transport, start);
    registrarBehaviour(ctx);
    publishBehaviour(ctx);
    subscribeBehaviour(ctx);
    compositionBehaviour(ctx);
  });
}
