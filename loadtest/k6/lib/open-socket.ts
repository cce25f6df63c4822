import { check } from 'k6';
import type { Rate } from 'k6/metrics';
import type { TargetConfig } from './load-config.ts';
import { type RequestHandler, SipSocket } from './sip-socket.ts';

/**
 * Opens a SipSocket to the target as `user` (credentials when SIP_PASSWORD is
 * set). A refused connection counts in `errors` and fails the check
 * "WebSocket opened", so a dead server crosses the error threshold instead of
 * leaving it without samples. Undefined when refused.
 */
export async function openSipSocket(target: TargetConfig, user: string, errors: Rate, onRequest?: RequestHandler): Promise<SipSocket | undefined> {
  const credentials = target.password === undefined ? undefined : { username: user, password: target.password };
  const socket = await SipSocket.open(target.url, { timeoutMs: target.transactionTimeoutMs, onRequest, credentials }).catch(() => undefined);
  errors.add(socket === undefined);
  check(socket, { 'WebSocket opened': (s) => s !== undefined });
  return socket;
}
