import {
  normalizeAor,
  PresenceError,
  type Clock,
  type InspectionStore,
  type LocationStore,
  type MembershipStore,
  type PresentityStore,
} from '@presence/core';
import { adminError, isLogLevel, LOG_LEVELS, type AdminApi, type AdminReply, type AdminRequest, type RootLogger } from '@presence/runtime';

/** Lists answer at most this many entries unless ?limit= asks for fewer (or more, up to MAX_LIMIT). */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export interface AdminDeps {
  readonly role: 'standalone' | 'edge' | 'agent' | 'xcap';
  readonly store: InspectionStore & PresentityStore & LocationStore & MembershipStore;
  readonly clock: Clock;
  readonly partitionCount: number;
  readonly logger: RootLogger;
  /** The agent role's drain; other roles have none and answer 404 saying so. */
  readonly drain?: () => Promise<number[]>;
  /** Counters of the SIP tracers (roles with SIP): messages traced and dropped. */
  readonly tracing?: () => unknown;
}

type Handler = (request: AdminRequest, deps: AdminDeps) => Promise<AdminReply>;

interface Route {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** Literal segments, or `:name` for one operand. */
  readonly pattern: readonly string[];
  readonly handle: Handler;
}

/**
 * The admin API of one process, under /admin/v1/ (JSON in and out). Reads go
 * to the store the process already has: in a cluster every edge and agent
 * shares Redis, so any of them answers for the whole cluster; a standalone
 * answers from its memory store. Every list is bounded (?limit=).
 */
export function createAdminApi(deps: AdminDeps): AdminApi {
  return {
    async handle(request) {
      const matching = ROUTES.filter((route) => matches(route.pattern, request.segments));
      if (matching.length === 0) return adminError(404, `no admin resource /${request.segments.join('/')}; see presence ctl --help`);
      const route = matching.find((r) => r.method === request.method);
      if (route === undefined) return adminError(405, `use ${matching.map((r) => r.method).join(' or ')} for /${request.segments.join('/')}`);
      try {
        return await route.handle(request, deps);
      } catch (error) {
        if (error instanceof PresenceError) return adminError(error.status, error.reason);
        if (error instanceof RangeError) return adminError(400, error.message);
        throw error;
      }
    },
  };
}

function matches(pattern: readonly string[], segments: readonly string[]): boolean {
  return pattern.length === segments.length && pattern.every((part, i) => part.startsWith(':') || part === segments[i]);
}

const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: ['cluster'], handle: cluster },
  { method: 'GET', pattern: ['presentities', ':aor'], handle: presentity },
  { method: 'GET', pattern: ['presentities', ':aor', 'watchers'], handle: watchers },
  { method: 'GET', pattern: ['bindings', ':aor'], handle: bindings },
  { method: 'GET', pattern: ['dialogs', ':callId'], handle: dialogs },
  { method: 'POST', pattern: ['drain'], handle: drain },
  { method: 'GET', pattern: ['log-level'], handle: async (_, deps) => ({ status: 200, body: { level: deps.logger.level } }) },
  { method: 'PUT', pattern: ['log-level'], handle: setLogLevel },
  { method: 'GET', pattern: ['tracing'], handle: async (_, deps) => ({ status: 200, body: deps.tracing?.() ?? {} }) },
];

/** Live agents and which of them holds each partition's lease, partitions as ranges ("0-3,8"). */
async function cluster(_: AdminRequest, deps: AdminDeps): Promise<AdminReply> {
  const [members, leases] = await Promise.all([deps.store.liveMembers(), deps.store.leaseHolders(deps.partitionCount)]);
  const byOwner = new Map<string, number[]>();
  const unowned: number[] = [];
  leases.forEach((lease, partition) => {
    if (lease === undefined) unowned.push(partition);
    else if (byOwner.has(lease.owner)) byOwner.get(lease.owner)!.push(partition);
    else byOwner.set(lease.owner, [partition]);
  });
  const owners = Object.fromEntries([...byOwner].sort(([a], [b]) => (a < b ? -1 : 1)).map(([owner, partitions]) => [owner, { count: partitions.length, partitions: ranges(partitions) }]));
  return { status: 200, body: { members, partitions: deps.partitionCount, owners, unowned: { count: unowned.length, partitions: ranges(unowned) } } };
}

/** Ascending integers as "0-3,7,9-12". */
export function ranges(sorted: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The composed document and the publications behind it; 404 for a presentity never published. */
async function presentity(request: AdminRequest, deps: AdminDeps): Promise<AdminReply> {
  const aor = aorOperand(request.segments[1]!);
  const limit = limitOf(request);
  const state = await deps.store.loadPresentity(aor);
  if (state.revision === 0) return adminError(404, `no presentity ${aor}: nothing was ever published for it`);
  return {
    status: 200,
    body: {
      presentity: aor,
      version: state.version,
      revision: state.revision,
      document: state.document,
      publicationCount: state.publications.length,
      publications: state.publications.slice(0, limit).map((p) => ({ ...p, expiresAt: iso(p.expiresAt), publishedAt: iso(p.publishedAt) })),
    },
  };
}

/** Who watches the AOR; 404 when it has neither watchers nor presence state. */
async function watchers(request: AdminRequest, deps: AdminDeps): Promise<AdminReply> {
  const aor = aorOperand(request.segments[1]!);
  const page = await deps.store.watchersOf(aor, limitOf(request));
  if (page.total === 0 && (await deps.store.loadPresentity(aor)).revision === 0) return adminError(404, `no presentity ${aor}: no watchers and nothing published`);
  return { status: 200, body: { presentity: aor, total: page.total, watchers: page.items.map((w) => ({ ...w, expiresAt: iso(w.expiresAt) })) } };
}

/** The registered contacts of the AOR; 404 when none is registered. */
async function bindings(request: AdminRequest, deps: AdminDeps): Promise<AdminReply> {
  const aor = aorOperand(request.segments[1]!);
  const limit = limitOf(request);
  const all = await deps.store.bindings(aor, deps.clock.now());
  if (all.length === 0) return adminError(404, `no bindings for ${aor}: nothing registered (or every binding expired)`);
  return { status: 200, body: { aor, total: all.length, bindings: all.slice(0, limit).map((b) => ({ ...b, expiresAt: iso(b.expiresAt) })) } };
}

/** The mirrored subscription dialogs of a Call-ID; 404 when none is live. */
async function dialogs(request: AdminRequest, deps: AdminDeps): Promise<AdminReply> {
  const callId = request.segments[1]!;
  if (callId.length > 256 || /[\s\x00-\x1f]/.test(callId)) return adminError(400, 'a Call-ID is one token of at most 256 characters');
  const found = await deps.store.dialogsByCallId(callId, limitOf(request));
  if (found.length === 0) return adminError(404, `no subscription dialog with Call-ID ${callId}`);
  return { status: 200, body: { callId, dialogs: found.map((d) => ({ ...d, expiresAt: iso(d.expiresAt) })) } };
}

async function drain(_: AdminRequest, deps: AdminDeps): Promise<AdminReply> {
  if (deps.drain === undefined) {
    return adminError(404, `drain: this process is a${deps.role === 'edge' ? 'n edge' : ' standalone server'}; drain applies to the agent processes of a cluster`);
  }
  const started = deps.clock.now();
  const released = await deps.drain();
  return { status: 200, body: { drained: true, released, tookMs: deps.clock.now() - started } };
}

async function setLogLevel(request: AdminRequest, deps: AdminDeps): Promise<AdminReply> {
  const level = (request.body as { level?: unknown } | undefined)?.level;
  if (typeof level !== 'string' || !isLogLevel(level)) return adminError(400, `body must be {"level": one of ${LOG_LEVELS.join(', ')}}`);
  const previous = deps.logger.level;
  deps.logger.setLevel(level);
  deps.logger.warn({ level, previous }, 'log level changed through the admin API');
  return { status: 200, body: { level, previous } };
}

/** The canonical AOR of an operand: `alice@example.com` or any SIP URI of it. */
function aorOperand(operand: string): string {
  return normalizeAor(/^sips?:/i.test(operand) ? operand : `sip:${operand}`);
}

function limitOf(request: AdminRequest): number {
  const text = request.query.get('limit');
  if (text === null) return DEFAULT_LIMIT;
  const limit = Number(text);
  if (!/^\d+$/.test(text) || limit < 1 || limit > MAX_LIMIT) throw new RangeError(`limit must be an integer from 1 to ${MAX_LIMIT}, got "${text}"`);
  return limit;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
