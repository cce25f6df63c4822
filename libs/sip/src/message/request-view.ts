import type { HeaderMap } from '../wire/header-names.js';
import { parseNameAddr, type NameAddr } from '../wire/name-addr.js';
import type { Flow } from '../transport/transport-types.js';
import type { SipRequest } from './message-types.js';
import { MessageView, parseNonNegativeInteger, type CoreHeaders } from './message-view.js';

export class RequestView extends MessageView implements SipRequest {
  private contactCache: NameAddr[] | '*' | undefined;

  constructor(
    readonly method: string,
    readonly uri: string,
    readonly flow: Flow,
    fields: HeaderMap,
    body: Buffer,
    core: CoreHeaders,
  ) {
    super(fields, body, core);
  }

  /** RFC 3261 §20.10; `*` only valid alone (§10.2.2). Throws SipParseError on garbage (the intake refuses such requests first). */
  get contacts(): NameAddr[] | '*' {
    if (this.contactCache !== undefined) return this.contactCache;
    const values = this.headerValues('contact');
    this.contactCache = values.length === 1 && values[0] === '*' ? '*' : values.map(parseNameAddr);
    return this.contactCache;
  }

  get recordRoute(): string[] {
    return this.headerValues('record-route');
  }

  get expires(): number | undefined {
    const value = this.fields.get('expires');
    return value === undefined ? undefined : parseNonNegativeInteger(value[0] as string);
  }

  get maxForwards(): number | undefined {
    const value = this.fields.get('max-forwards');
    return value === undefined ? undefined : parseNonNegativeInteger(value[0] as string);
  }
}
