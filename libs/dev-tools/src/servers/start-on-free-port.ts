/** A server that can be started and, after a failed start, stopped again. */
export interface StartableServer {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A port picked free can be taken by another process before the server binds
 * it: start on a fresh port up to `attempts` times, retrying only when the
 * failure says the port was in use; any other failure is thrown at once.
 */
export async function startOnFreePort<T extends StartableServer>(
  attempts: number,
  create: () => Promise<T>,
  portInUse: (error: unknown) => boolean,
): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const server = await create();
    try {
      await server.start();
      return server;
    } catch (error) {
      lastError = error;
      await server.stop();
      if (!portInUse(error)) break;
    }
  }
  throw lastError;
}
