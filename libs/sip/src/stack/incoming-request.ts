import type { IncomingRequest, ResponseOptions } from '../message/message-types.js';
import type { CoreHeaders } from '../message/message-view.js';
import { RequestView } from '../message/request-view.js';
import type { ServerTransaction, ServerTransactions } from '../transaction/server-transactions.js';
import type { InternalFlow } from '../transport/internal-flow.js';
import type { HeaderMap } from '../wire/header-names.js';

/** A request handed to the application, answered through its server transaction. */
export class IncomingRequestImpl extends RequestView implements IncomingRequest {
  readonly #tx: ServerTransaction;
  readonly #transactions: ServerTransactions;

  constructor(
    method: string,
    uri: string,
    flow: InternalFlow,
    fields: HeaderMap,
    body: Buffer,
    core: CoreHeaders,
    tx: ServerTransaction,
    transactions: ServerTransactions,
  ) {
    super(method, uri, flow, fields, body, core);
    this.#tx = tx;
    this.#transactions = transactions;
  }

  respond(status: number, reason?: string, options?: ResponseOptions): void {
    this.#transactions.respond(this.#tx, status, reason, options);
  }

  get finalStatus(): number | undefined {
    return this.#tx.finalStatus;
  }

  get answered(): boolean {
    return this.#tx.final || this.#tx.ended;
  }
}
