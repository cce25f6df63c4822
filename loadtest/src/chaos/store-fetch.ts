import { buildRequest } from '../sip/build-message.js';
import type { ChaosSip } from './chaos-sip.js';
import { readSequencedState } from './sequenced-pidf.js';

const NOTIFY_WAIT_MS = 5000;
const ATTEMPTS = 5;

/**
 * The stored state of a presentity, read the way a UA reads it once: a fetch
 * (SUBSCRIBE with Expires 0, RFC 6665 §4.4.3) and its one NOTIFY. Returns the
 * highest sequence number in it; undefined after ATTEMPTS failures.
 */
export async function fetchSequence(sip: ChaosSip, aor: string, edge: number): Promise<number | undefined> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const seq = await fetchOnce(sip, aor, edge, attempt);
    if (seq !== undefined) return seq;
  }
  return undefined;
}

async function fetchOnce(sip: ChaosSip, aor: string, edge: number, attempt: number): Promise<number | undefined> {
  const callId = sip.newId('fetch');
  const channel = sip.channel(edge + attempt, attempt);
  let resolveNotify: (body: string) => void = () => undefined;
  const notified = new Promise<string>((resolve) => (resolveNotify = resolve));
  sip.onDialog(callId, (notify) => {
    resolveNotify(notify.body);
    return 200;
  });
  try {
    const response = await sip.request(channel, (branch) =>
      buildRequest({
        method: 'SUBSCRIBE',
        uri: aor,
        via: channel.via,
        branch,
        from: `<sip:chaos-fetch@127.0.0.1>;tag=${callId}`,
        to: `<${aor}>`,
        callId,
        cseq: 1,
        contact: channel.contact('chaos-fetch'),
        headers: ['Event: presence', 'Accept: application/pidf+xml', 'Expires: 0'],
      }),
    );
    if (response === undefined || response.status < 200 || response.status >= 300) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const body = await Promise.race([notified, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), NOTIFY_WAIT_MS)))]);
    clearTimeout(timer);
    return body === undefined ? undefined : readSequencedState(body).seq;
  } finally {
    sip.forgetDialog(callId);
  }
}
