import type { TransportName } from '@presence/sip';
import { describe } from 'vitest';
import { authBehaviour } from './auth.behaviour.js';
import { compositionBehaviour } from './composition.behaviour.js';
import { imdnBehaviour } from './imdn.behaviour.js';
import { messageListBehaviour } from './message-list.behaviour.js';
import { authenticatedMessageBehaviour, messageBehaviour } from './message.behaviour.js';
import { useSuiteContext, type PresenceTarget } from './harness.js';
import { publishBehaviour } from './publish.behaviour.js';
import { registrarBehaviour } from './registrar.behaviour.js';
import { subscribeBehaviour } from './subscribe.behaviour.js';
import { watcherInfoBehaviour } from './watcher-info.behaviour.js';

export type { PresenceTarget } from './harness.js';

export interface BehaviourSuiteOptions {
  /** The target authenticates (it has addUser): every user agent answers challenges, and the authentication behaviour runs too. */
  readonly authenticated?: boolean;
}

/**
 * The foundation's complete behaviour list, end to end over real sockets of
 * one transport, against any running presence service (standalone or
 * cluster: same suite, another `start`), with digest authentication or
 * without.
 */
export function presenceBehaviourSuite(name: string, transport: TransportName, start: () => Promise<PresenceTarget>, options: BehaviourSuiteOptions = {}): void {
  describe(`${name} over ${transport}${options.authenticated ? ' with digest authentication' : ''}`, () => {
    const ctx = useSuiteContext(transport, async () => {
      const target = await start();
      if ((target.addUser !== undefined) !== (options.authenticated ?? false)) {
        await target.stop();
        throw new Error(`the target ${target.addUser ? 'authenticates' : 'does not authenticate'}, the suite was told otherwise`);
      }
      return target;
    });
    registrarBehaviour(ctx);
    publishBehaviour(ctx);
    subscribeBehaviour(ctx);
    watcherInfoBehaviour(ctx);
    compositionBehaviour(ctx);
    messageBehaviour(ctx);
    imdnBehaviour(ctx);
    messageListBehaviour(ctx);
    if (options.authenticated) {
      authBehaviour(ctx);
      authenticatedMessageBehaviour(ctx);
    }
  });
}
