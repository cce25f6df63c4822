/**
 * The reason phrase of a 400 for a body the application would misread, or
 * undefined. The stack decodes every body as UTF-8; an XML body (RFC 7303:
 * application/xml, text/xml, any +xml type such as application/pidf+xml)
 * that is not valid UTF-8 would reach the application with U+FFFD in place
 * of the bad bytes and be stored as if the sender had written that, so it is
 * refused instead (PIDF, RFC 3863, and the other XML bodies of SIP
 * presence are UTF-8). Other bodies are left to the application.
 */
export function bodyProblem(contentType: string | undefined, bodyIsUtf8: boolean): string | undefined {
  if (bodyIsUtf8 || contentType === undefined || !isXmlMediaType(contentType)) return undefined;
  return 'Body is not valid UTF-8';
}

/** True for application/xml, text/xml and type/subtype+xml, parameters and case aside. */
export function isXmlMediaType(contentType: string): boolean {
  const semi = contentType.indexOf(';');
  const type = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return type === 'application/xml' || type === 'text/xml' || (type.endsWith('+xml') && type.indexOf('/') > 0);
}
