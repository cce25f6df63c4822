/** One request to the admin API, its path already split below `/admin/v1/` and each segment decoded. */
export interface AdminRequest {
  readonly method: string;
  /** e.g. ['presentities', 'sip:alice@example.com', 'watchers']. */
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  /** The parsed JSON body; undefined when there was none. */
  readonly body: unknown;
}

export interface AdminReply {
  readonly status: number;
  /** Sent as JSON. */
  readonly body: unknown;
}

/** What a role answers under /admin/v1/ (reads from its store, drain, log level). */
export interface AdminApi {
  handle(request: AdminRequest): Promise<AdminReply>;
}

/** Who may use the admin API: see adminRefusal. */
export interface AdminAccess {
  /** The bearer token every request must carry; undefined when none is configured. */
  readonly token: string | undefined;
}

/** `{ error }` with a status: the one shape of every refusal. */
export function adminError(status: number, error: string): AdminReply {
  return { status, body: { error } };
}
