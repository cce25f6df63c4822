import { describe, expect, it } from 'vitest';
import { parseListenSpecs } from './listen-spec.js';

describe('listen-spec', () => {
  it('listen - parses transports, IPv4 and bracketed IPv6', () => {
    expect(parseListenSpecs(' udp:127.0.0.1:5060, tcp:127.0.0.1:0 ,WS:[::1]:8080,tls:127.0.0.1:5061,WSS:[::1]:8443')).toEqual([
      { transport: 'udp', host: '127.0.0.1', port: 5060 },
      { transport: 'tcp', host: '127.0.0.1', port: 0 },
      { transport: 'ws', host: '::1', port: 8080 },
      { transport: 'tls', host: '127.0.0.1', port: 5061 },
      { transport: 'wss', host: '::1', port: 8443 },
    ]);
    expect(parseListenSpecs('')).toEqual([]);
  });

  it('listen - names the bad item', () => {
    expect(() => parseListenSpecs('udp:127.0.0.1:5060,dtls:127.0.0.1:5061')).toThrow(/"dtls:127.0.0.1:5061".*unknown transport/);
    expect(() => parseListenSpecs('udp:localhost:5060')).toThrow(/"udp:localhost:5060"/);
    expect(() => parseListenSpecs('tcp:127.0.0.1:70000')).toThrow(/bad port 70000/);
    expect(() => parseListenSpecs('tcp:127.0.0.1')).toThrow(/"tcp:127.0.0.1"/);
    expect(() => parseListenSpecs('udp:127.0.0.1:5060,')).toThrow(/""/);
  });
});
