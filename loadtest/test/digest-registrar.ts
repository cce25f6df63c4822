import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { buildResponse, header, parseSipMessage } from '../k6/lib/sip-message.ts';

/**
 * A stand-in registrar for the one thing the presence server cannot do yet
 * (digest authentication is being added): it challenges every REGISTER
 * without credentials (401, qop=auth, the given algorithm), checks the answer
 * with node:crypto, and answers 200 or 403. Only for testing the scripts'
 * digest code through the harness; the real server replaces it once it has --auth.
 */
export interface DigestRegistrar {
  readonly url: string;
  readonly counts: { challenged: number; accepted: number; refused: number };
  close(): Promise<void>;
}

export async function startDigestRegistrar(algorithm: 'MD5' | 'SHA-256', password: string): Promise<DigestRegistrar> {
  const realm = 'k6.test';
  const nonces = new Set<string>();
  const counts = { challenged: 0, accepted: 0, refused: 0 };
  const h = (text: string) => createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(text).digest('hex');
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (offered) => (offered.has('sip') ? 'sip' : false) });
  server.on('connection', (ws) => {
    ws.on('message', (data) => {
      const request = parseSipMessage(data.toString());
      if (request === undefined || request.method !== 'REGISTER') return;
      const reply = (status: number, reason: string, extra = ''): void =>
        ws.send(buildResponse(request, status, reason).replace('Content-Length: 0\r\n', `${extra}Content-Length: 0\r\n`));
      const authorization = header(request, 'authorization');
      if (authorization === undefined) {
        const nonce = randomBytes(12).toString('hex');
        nonces.add(nonce);
        counts.challenged++;
        reply(401, 'Unauthorized', `WWW-Authenticate: Digest realm="${realm}", nonce="${nonce}", qop="auth", algorithm=${algorithm}\r\n`);
        return;
      }
      const p = Object.fromEntries([...authorization.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)].map((m) => [m[1]!, m[2] ?? m[3] ?? '']));
      const expected = h(`${h(`${p['username']}:${realm}:${password}`)}:${p['nonce']}:${p['nc']}:${p['cnonce']}:auth:${h(`REGISTER:${p['uri']}`)}`);
      const ok = nonces.has(p['nonce'] ?? '') && p['qop'] === 'auth' && p['algorithm'] === algorithm && p['response'] === expected;
      if (ok) counts.accepted++;
      else counts.refused++;
      reply(ok ? 200 : 403, ok ? 'OK' : 'Forbidden');
    });
  });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
