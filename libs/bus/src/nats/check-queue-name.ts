import { InvalidSubjectError } from '../errors/invalid-subject-error.js';

const WHITE_SPACE = /\s/;

/**
 * A queue group name is one protocol token: not empty (nats.js would silently
 * make an empty one a plain subscription) and without white space (it would
 * break the SUB line and cost the whole connection).
 */
export function checkQueueName(queue: string): void {
  if (queue.length === 0) throw new InvalidSubjectError(queue, 'empty queue group name');
  if (WHITE_SPACE.test(queue)) throw new InvalidSubjectError(queue, 'queue group name contains white space');
}
