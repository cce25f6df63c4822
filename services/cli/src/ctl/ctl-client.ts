import type { CtlCommand } from './ctl-command.js';

/** Drain answers once in-flight requests of every partition were answered; reads are quick. */
const TIMEOUT_MS = { drain: 60_000, other: 10_000 };

export interface CtlAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** Sends the call; rejects only when the process cannot be reached or answers something that is not JSON. */
export async function sendCtl(command: CtlCommand): Promise<CtlAnswer> {
  const base = command.url.href.endsWith('/') ? command.url.href : `${command.url.href}/`;
  const target = new URL(`admin/v1/${command.call.path}`, base);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (command.token !== undefined) headers.authorization = `Bearer ${command.token}`;
  if (command.call.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(target, {
      method: command.call.method,
      headers,
      body: command.call.body === undefined ? undefined : JSON.stringify(command.call.body),
      signal: AbortSignal.timeout(command.call.path === 'drain' ? TIMEOUT_MS.drain : TIMEOUT_MS.other),
    });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
    throw new Error(`cannot reach ${command.url.origin}: ${cause}`, { cause: error });
  }
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    throw new Error(`${command.url.origin} answered ${response.status} without JSON: is it a presence process's --http? ${text.slice(0, 200)}`);
  }
}
