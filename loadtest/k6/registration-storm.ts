/**
 * Registration storm: every iteration connects a WebSocket, REGISTERs one
 * user (`<prefix><n>`, n = the iteration's number in the test), and by default
 * unregisters it (Expires: 0) before closing. Judged by the error rate and the
 * REGISTER round trip.
 *
 *   k6 run -e SIP_URL=ws://127.0.0.1:8080 -e VUS=50 -e DURATION=1m loadtest/k6/registration-storm.ts
 *
 * Environment: SIP_URL, SIP_DOMAIN, SIP_USER_PREFIX, USERS, SIP_PASSWORD,
 * SIP_TIMEOUT; VUS, DURATION or ITERATIONS (per VU); REGISTER_EXPIRES (s,
 * default 120), UNREGISTER (0 keeps the bindings); REGISTER_P95_MS (default 500).
 */
import { check } from 'k6';
import exec from 'k6/execution';
import { Counter, Rate, Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import { nonNegativeNumber, positiveInt, targetConfig, userName, vuScenario } from './lib/load-config.ts';
import { randomToken } from './lib/sip-message.ts';
import { openSipSocket } from './lib/open-socket.ts';

const target = targetConfig(__ENV);
const expires = positiveInt(__ENV, 'REGISTER_EXPIRES', 120);
const unregister = __ENV['UNREGISTER'] !== '0';

export const options: Options = {
  scenarios: { registrations: vuScenario(__ENV, 10, 'default') },
  thresholds: {
    sip_errors: ['rate<0.01'],
    sip_register_duration: [`p(95)<${nonNegativeNumber(__ENV, 'REGISTER_P95_MS', 500)}`],
    checks: ['rate>0.99'],
  },
};

/** Every WebSocket opened and SIP transaction: true when it failed (refused, no 2xx, timeout, closed socket). */
const errors = new Rate('sip_errors');
/** REGISTER (binding) sent → final response. */
const registerDuration = new Trend('sip_register_duration', true);
const bindings = new Counter('sip_registers_ok');
const unbindings = new Counter('sip_unregisters_ok');

export default async function registrationStorm(): Promise<void> {
  const user = userName(target, exec.scenario.iterationInTest);
  const aor = `sip:${user}@${target.domain}`;
  const socket = await openSipSocket(target, user, errors);
  if (socket === undefined) return;
  const dialog = { callId: randomToken(20), fromTag: randomToken(8), cseq: 1 };
  const register = async (seconds: number) => {
    const outcome = await socket.request({
      method: 'REGISTER', uri: `sip:${target.domain}`, from: `<${aor}>;tag=${dialog.fromTag}`, to: `<${aor}>`,
      callId: dialog.callId, cseq: dialog.cseq, contactUser: user, headers: [`Expires: ${seconds}`],
    });
    dialog.cseq = outcome.cseq + 1;
    const ok = outcome.response !== undefined && outcome.response.status >= 200 && outcome.response.status < 300;
    errors.add(!ok);
    return { ok, outcome };
  };
  try {
    const bound = await register(expires);
    registerDuration.add(bound.outcome.elapsedMs);
    check(bound.outcome, { 'REGISTER answered 2xx': (o) => (o.response?.status ?? 0) >= 200 && (o.response?.status ?? 0) < 300 });
    if (bound.ok) bindings.add(1);
    if (bound.ok && unregister) {
      const unbound = await register(0);
      check(unbound.outcome, { 'unREGISTER answered 2xx': () => unbound.ok });
      if (unbound.ok) unbindings.add(1);
    }
  } finally {
    await socket.close();
  }
}
