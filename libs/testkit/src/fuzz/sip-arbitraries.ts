import * as fc from 'fast-check';

/**
 * Generators of valid SIP text (RFC 3261 §25.1) together with what a parser
 * must read from it, for round-trip properties. Each stays inside the
 * grammar on purpose; the mutations (sip-mutations.ts) step outside it.
 */

const ALPHA = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGIT = '0123456789';
const chars = (set: string) => fc.constantFrom(...set.split(''));

/** RFC 3261 token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" */
export const sipToken = fc.string({ unit: chars(`${ALPHA}${DIGIT}-.!%*_+\`'~`), minLength: 1, maxLength: 12 });

const label = fc
  .tuple(chars(`${ALPHA}${DIGIT}`), fc.string({ unit: chars(`${ALPHA}${DIGIT}-`), maxLength: 8 }), chars(`${ALPHA}${DIGIT}`))
  .map(([first, middle, last]) => (middle === '' ? first : `${first}${middle}${last}`));

/** A host name, an IPv4 address or an IPv6 reference, as written (mixed case). */
export const sipHost: fc.Arbitrary<string> = fc.oneof(
  fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.')),
  fc.ipV4(),
  fc.ipV6().map((address) => `[${address}]`),
);

/** A user part, and the user the parser must give: %-escapes of unreserved characters decoded, others upper-cased (RFC 3261 §19.1.4). */
const userPiece: fc.Arbitrary<readonly [string, string]> = fc.oneof(
  { weight: 8, arbitrary: chars(`${ALPHA}${DIGIT}-_.!~*'()&=+$,;?/`).map((c) => [c, c] as const) },
  { weight: 1, arbitrary: fc.constantFrom(['%41', 'A'] as const, ['%7e', '~'] as const, ['%40', '%40'] as const, ['%3a', '%3A'] as const, ['%20', '%20'] as const) },
);

export interface GeneratedSipUri {
  readonly text: string;
  readonly scheme: 'sip' | 'sips';
  readonly user?: string;
  /** Lower-cased, as the parser gives it. */
  readonly host: string;
  readonly port?: number;
  /** Parameter names lower-cased, each once, in order. */
  readonly params: ReadonlyArray<readonly [string, string]>;
}

const paramName = fc.string({ unit: chars(`${ALPHA}${DIGIT}-_.!~*'()`), minLength: 1, maxLength: 8 });
const paramValue = fc.string({ unit: chars(`${ALPHA}${DIGIT}-_.!~*'()`), maxLength: 8 });

export const sipUri: fc.Arbitrary<GeneratedSipUri> = fc
  .record(
    {
      scheme: fc.constantFrom('sip', 'sips', 'SIP', 'Sips'),
      user: fc.option(fc.array(userPiece, { minLength: 1, maxLength: 10 }), { nil: undefined }),
      password: fc.option(fc.string({ unit: chars(`${ALPHA}${DIGIT}-_.&=+$,`), maxLength: 6 }), { nil: undefined }),
      host: sipHost,
      port: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
      params: fc.uniqueArray(fc.tuple(paramName, paramValue), { maxLength: 4, selector: ([name]) => name.toLowerCase() }),
    },
    { requiredKeys: ['scheme', 'host', 'params'] },
  )
  .map(({ scheme, user, password, host, port, params }) => {
    const userText = user?.map(([written]) => written).join('');
    const userinfo = userText === undefined ? '' : `${userText}${password === undefined ? '' : `:${password}`}@`;
    const paramText = params.map(([name, value]) => (value === '' ? `;${name}` : `;${name}=${value}`)).join('');
    return {
      text: `${scheme}:${userinfo}${host}${port === undefined ? '' : `:${port}`}${paramText}`,
      scheme: scheme.toLowerCase() as 'sip' | 'sips',
      ...(user === undefined ? {} : { user: user.map(([, read]) => read).join('') }),
      host: host.toLowerCase(),
      ...(port === undefined ? {} : { port }),
      params: params.map(([name, value]) => [name.toLowerCase(), value] as const),
    };
  });

export interface GeneratedNameAddr {
  readonly text: string;
  readonly displayName?: string;
  readonly uri: string;
  readonly params: Readonly<Record<string, string | null>>;
}

const quotedDisplayName = fc.string({ unit: fc.oneof(chars(`${ALPHA}${DIGIT} ,;:<>@.'`), fc.constantFrom('é', '漢', '"', '\\')), minLength: 1, maxLength: 12 });
const tokenWords = fc.array(sipToken, { minLength: 1, maxLength: 3 });

/** A name-addr (`"Name" <uri>;tag=x`, `Name Words <uri>`) or an addr-spec with header parameters (RFC 3261 §20.10). */
export const nameAddr: fc.Arbitrary<GeneratedNameAddr> = fc
  .record({
    form: fc.constantFrom('quoted', 'tokens', 'angle', 'bare'),
    quoted: quotedDisplayName,
    words: tokenWords,
    uri: sipUri,
    params: fc.uniqueArray(fc.tuple(sipToken, fc.option(sipToken, { nil: null })), { maxLength: 3, selector: ([name]) => name.toLowerCase() }),
  })
  .filter(({ params }) => params.every(([name]) => name.toLowerCase() !== '__proto__'))
  .map(({ form: chosen, quoted, words, uri, params }) => {
    let form = chosen;
    const paramText = params.map(([name, value]) => (value === null ? `;${name}` : `;${name}=${value}`)).join('');
    // A bare addr-spec ends at the first ';' (RFC 3261 §20.10): one whose URI has its own takes the <> form.
    if (form === 'bare' && /[;?,]/.test(uri.text)) form = 'angle';
    const uriText = uri.text;
    const display =
      form === 'quoted' ? `"${quoted.replace(/[\\"]/g, (c) => `\\${c}`)}" ` : form === 'tokens' ? `${words.join(' ')} ` : '';
    const text = form === 'bare' ? `${uriText}${paramText}` : `${display}<${uriText}>${paramText}`;
    const displayName = form === 'quoted' ? quoted : form === 'tokens' ? words.join(' ') : undefined;
    return {
      text,
      ...(displayName === undefined ? {} : { displayName }),
      uri: uriText,
      params: Object.fromEntries(params.map(([name, value]) => [name.toLowerCase(), value])),
    };
  });

export interface GeneratedHeader {
  /** As written: mixed case, sometimes a compact form. */
  readonly name: string;
  /** Trimmed: no leading or trailing whitespace, no CR, LF or other control character. */
  readonly value: string;
}

const printable = fc.oneof(
  { weight: 10, arbitrary: fc.string({ unit: chars(`${ALPHA}${DIGIT} \t-.!%*_+\`'~;:=,<>@"/\\?[]()`), maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }) },
);
const headerValue = printable.map((value) => value.replace(/[\x00-\x08\x0a-\x1f\x7f\u0085\u2028\u2029]/g, '').trim());

/** Header names: the usual ones in any case, compact forms, extension tokens; never Content-Length (the message sets it). */
const headerName = fc
  .oneof(fc.constantFrom('Via', 'v', 'From', 'f', 'TO', 'call-id', 'i', 'CSeq', 'Contact', 'm', 'Event', 'o', 'Expires', 'Content-Type', 'c', 'Max-Forwards', 'X-Fuzz'), sipToken)
  .filter((name) => !['content-length', 'l'].includes(name.toLowerCase()));

export const sipHeader: fc.Arbitrary<GeneratedHeader> = fc.record({ name: headerName, value: headerValue });

export interface GeneratedMessage {
  readonly method: string;
  readonly uri: string;
  readonly headers: readonly GeneratedHeader[];
  readonly body: string;
  /** The message on the wire, Content-Length in bytes last among the headers. */
  readonly bytes: Buffer;
}

/** A request (any method token, any absolute URI the start line allows) with headers and a UTF-8 body. */
export const sipRequest: fc.Arbitrary<GeneratedMessage> = fc
  .record({
    method: fc.oneof(fc.constantFrom('REGISTER', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'OPTIONS', 'MESSAGE', 'INVITE', 'ACK', 'BYE', 'CANCEL', 'INFO'), sipToken),
    uri: sipUri.map((uri) => uri.text),
    headers: fc.array(sipHeader, { maxLength: 12 }),
    body: fc.oneof(fc.constant(''), fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: chars('<>/="\r\n \t\0ab'), maxLength: 200 })),
  })
  .map(({ method, uri, headers, body }) => {
    const head = `${method} ${uri} SIP/2.0\r\n${headers.map((h) => `${h.name}: ${h.value}\r\n`).join('')}`;
    const bodyBytes = Buffer.from(body, 'utf8');
    return { method, uri, headers, body, bytes: Buffer.concat([Buffer.from(`${head}Content-Length: ${bodyBytes.length}\r\n\r\n`, 'utf8'), bodyBytes]) };
  });
