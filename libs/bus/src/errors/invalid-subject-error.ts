/**
 * A subject or subscription pattern that NATS would refuse: empty tokens,
 * white space, wildcards in a subject that is published to, or `>` anywhere
 * but last in a pattern.
 */
export class InvalidSubjectError extends Error {
  constructor(
    readonly subject: string,
    readonly problem: string,
  ) {
    super(`invalid subject ${JSON.stringify(subject)}: ${problem}`);
    this.name = 'InvalidSubjectError';
  }
}
