/** A server child process (nats-server, redis-server) started and owned by a test. */
export interface ManagedServer {
  /** e.g. `nats://127.0.0.1:<port>` or `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** The running server's process id; undefined while it is not running. */
  readonly pid: number | undefined;
  /** Graceful stop (SIGKILL after a grace period), waits for the exit, removes its files. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL (a crash); waits for the exit; files are kept so restart() can follow. */
  kill(): Promise<void>;
  /** Stops it if running and starts it again on the same port; resolves once it answers. */
  restart(): Promise<void>;
}
