/** The namespace URN that CPIM headers of IMDN live in (RFC 5438 §4, §12.2). */
export const IMDN_NAMESPACE = 'urn:ietf:params:imdn';
/** Body type of a notification (RFC 5438 §12.1). */
export const IMDN_XML = 'message/imdn+xml';

/** What a message/cpim body asks of IMDN (RFC 5438 §6): its Message-ID and the notifications it wants. */
export interface ImdnRequest {
  readonly messageId: string;
  /** Disposition-Notification values, lower case: positive-delivery, negative-delivery, processing, display. */
  readonly wants: ReadonlySet<string>;
  /** CPIM DateTime of the message, echoed in the notification's <datetime> (RFC 5438 §7.2.1.1). */
  readonly dateTime?: string;
}

/**
 * The IMDN request carried by a message/cpim body, or undefined when it asks
 * for none: headers in the IMDN namespace (whatever prefix its `NS:` line
 * gives it) named Message-ID and Disposition-Notification. Pure; a body
 * already checked by cpimProblem.
 */
export function imdnRequest(cpimBody: string): ImdnRequest | undefined {
  const headers = cpimMessageHeaders(cpimBody);
  const prefixes = new Set(
    headers.filter(([name]) => name === 'ns').flatMap(([, value]) => {
      // The URI is trimmed after the match: spaces inside <> matched by the pattern itself made it polynomial (ReDoS check).
      const match = /^([^\s<]+)\s*<([^>]*)>$/.exec(value.trim());
      return match !== null && match[2]!.trim().toLowerCase() === IMDN_NAMESPACE ? [match[1]!.toLowerCase()] : [];
    }),
  );
  const valueOf = (local: string) => headers.find(([name]) => [...prefixes].some((prefix) => name === `${prefix}.${local}`))?.[1].trim();
  const messageId = valueOf('message-id');
  const wanted = valueOf('disposition-notification');
  if (messageId === undefined || messageId === '' || wanted === undefined) return undefined;
  const wants = new Set(wanted.split(',').map((value) => value.trim().toLowerCase()).filter((value) => value !== ''));
  const dateTime = headers.find(([name]) => name === 'datetime')?.[1].trim();
  return { messageId, wants, ...(dateTime === undefined ? {} : { dateTime }) };
}

/**
 * True when an intermediary that stored the message tells the sender so.
 * "stored" is a processing status (RFC 5438 §7.2.1.3); the sender asked
 * for processing notifications, or for a positive delivery one, which a
 * stored message cannot give until its recipient comes back.
 */
export function wantsStoredNotice(request: ImdnRequest): boolean {
  return request.wants.has('processing') || request.wants.has('positive-delivery');
}

/** Who is told what: the original sender and recipient, a fresh Message-ID, and the time. */
export interface NoticeParties {
  readonly sender: string;
  readonly recipient: string;
  readonly noticeId: string;
  readonly now: number;
}

/**
 * What an intermediary may report (RFC 5438 §7.2.1.3, §9 schema): that it
 * stored the message (a processing notification), or that the message
 * could not be delivered (a negative delivery notification, as a
 * multi-recipient service reports a recipient that failed, RFC 5365 §6).
 */
export type IntermediaryNotice = 'stored' | 'failed';

/** True when the sender asked for the kind of notification `notice` is. */
export function wantsNotice(request: ImdnRequest, notice: IntermediaryNotice): boolean {
  return notice === 'stored' ? wantsStoredNotice(request) : request.wants.has('negative-delivery');
}

/**
 * The message/cpim body of a notification from the intermediary: CPIM
 * headers from the recipient to the sender, then the message/imdn+xml
 * document naming the original Message-ID.
 */
export function noticeBody(request: ImdnRequest, parties: NoticeParties, notice: IntermediaryNotice): string {
  const now = new Date(parties.now).toISOString();
  const status = notice === 'stored' ? '<processing-notification><status><stored/></status></processing-notification>' : '<delivery-notification><status><failed/></status></delivery-notification>';
  const xml = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<imdn xmlns="urn:ietf:params:xml:ns:imdn">`,
    `<message-id>${escapeXml(request.messageId)}</message-id>`,
    `<datetime>${escapeXml(request.dateTime ?? now)}</datetime>`,
    `<recipient-uri>${escapeXml(parties.recipient)}</recipient-uri>`,
    `<original-recipient-uri>${escapeXml(parties.recipient)}</original-recipient-uri>`,
    status,
    '</imdn>',
    '',
  ].join('\r\n');
  return [
    `From: <${parties.recipient}>`,
    `To: <${parties.sender}>`,
    `NS: imdn <${IMDN_NAMESPACE}>`,
    `imdn.Message-ID: ${parties.noticeId}`,
    `DateTime: ${now}`,
    '',
    `Content-Type: ${IMDN_XML}`,
    'Content-Disposition: notification',
    `Content-Length: ${Buffer.byteLength(xml)}`,
    '',
    xml,
  ].join('\r\n');
}

/** The CPIM message headers (before the first blank line), names lower case. */
function cpimMessageHeaders(body: string): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  for (const line of body.split(/\r?\n/)) {
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon > 0) headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1)]);
  }
  return headers;
}

/** Text safe in XML character data and double-quoted attributes. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
