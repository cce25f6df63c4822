/** GET with a deadline; resolves with status and body. */
export async function httpGet(url: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text() };
}
