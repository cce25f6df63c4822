/** True for a SIPS URI (RFC 3261 §19.1): reached over TLS only. Cheap: no parse. */
export function isSipsUri(uri: string | undefined): boolean {
  return uri !== undefined && uri.length > 5 && uri.slice(0, 5).toLowerCase() === 'sips:';
}
