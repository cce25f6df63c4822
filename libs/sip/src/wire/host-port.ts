// URIs themselves are parsed by @presence/core/sip-uri: one SIP-URI grammar for the domain and the wire.

/** A decimal port 0..65535, or undefined. */
export function parsePort(digits: string): number | undefined {
  if (digits.length === 0 || digits.length > 5) return undefined;
  let n = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n <= 65535 ? n : undefined;
}

/** Brackets an IPv6 literal for use in a URI or Via sent-by. */
export function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
