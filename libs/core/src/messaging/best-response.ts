/**
 * The final status a forking proxy answers with (RFC 3261 §16.7 steps 4-6):
 * the first 2xx as soon as one arrives (the caller answers at once), else,
 * once every branch ended, a 6xx if any, else the lowest class, the lowest
 * code within it. 503 from a branch is never passed on as such (§16.7 step
 * 6): it becomes 500, so the sender does not take the whole service for
 * overloaded. No branch at all is 480 Temporarily Unavailable.
 */
export function bestFinalStatus(statuses: readonly number[]): number {
  const success = statuses.find((s) => s >= 200 && s < 300);
  if (success !== undefined) return success;
  const finals = statuses.filter((s) => s >= 300);
  if (finals.length === 0) return 480;
  const global = finals.filter((s) => s >= 600);
  const pool = global.length > 0 ? global : finals;
  const best = pool.reduce((a, b) => (Math.floor(b / 100) < Math.floor(a / 100) || (Math.floor(b / 100) === Math.floor(a / 100) && b < a) ? b : a));
  return best === 503 ? 500 : best;
}
