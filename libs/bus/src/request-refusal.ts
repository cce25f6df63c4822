import { BusClosedError } from './errors/bus-errors.js';
import { checkPublishSubject } from './memory/subject-match.js';

/**
 * Why request() cannot send now, as the rejection it returns: the bus is
 * not open (BusClosedError) or the subject is invalid (InvalidSubjectError).
 * Undefined when it can. Every Bus adapter checks the same two things first.
 */
export function requestRefusal(open: boolean, subject: string): Promise<never> | undefined {
  if (!open) return Promise.reject(new BusClosedError());
  try {
    checkPublishSubject(subject);
  } catch (error) {
    return Promise.reject(error);
  }
  return undefined;
}
