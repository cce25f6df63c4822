/** A bus payload that does not match the protocol: a bug or a version skew, never trusted further. */
export class ContractError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ContractError';
  }
}
