import type { OptionTable } from '@presence/runtime';
import { XCAP_OPTIONS } from './xcap-options.js';

/** Option names are a contract others script against: add, never rename. */

export const SIP_OPTIONS: OptionTable = {
  listen: {
    kind: 'string',
    placeholder: 'LIST',
    default: 'udp:127.0.0.1:5060,tcp:127.0.0.1:5060,ws:127.0.0.1:8080',
    help: 'SIP transports and addresses, comma separated TRANSPORT:HOST:PORT (udp, tcp, tls, ws, wss; IPv6 as [::1]). tls and wss need --tls-cert and --tls-key.',
  },
  domain: {
    kind: 'string',
    placeholder: 'LIST',
    default: '*',
    help: 'Comma list of served domains; requests for other domains get 404. "*" serves any domain.',
  },
  'advertised-host': {
    kind: 'string',
    placeholder: 'HOST',
    help: 'Host put in our Via and Contact headers (default: the first listen address).',
  },
  'notify-min-interval': {
    kind: 'number',
    placeholder: 'SECONDS',
    default: '0',
    min: 0,
    help: 'Per-watcher minimum time between NOTIFYs; changes in between are coalesced, the latest state wins (RFC 6446). 0 turns it off.',
  },
  'notify-keepalive-min-interval': {
    kind: 'number',
    placeholder: 'SECONDS',
    default: '5',
    min: 0.001,
    help: 'Shortest period between the NOTIFYs a watcher orders without a change (RFC 6446 min-rate, adaptive-min-rate); faster asks are lowered to it.',
  },
  'min-expires': { kind: 'integer', placeholder: 'SECONDS', default: '60', min: 1, help: 'Shortest accepted Expires for REGISTER, PUBLISH and SUBSCRIBE; shorter gets 423 with Min-Expires.' },
  'max-expires': { kind: 'integer', placeholder: 'SECONDS', default: '3600', min: 1, help: 'Longest granted Expires; longer requests are clamped to it.' },
  'default-expires': { kind: 'integer', placeholder: 'SECONDS', default: '3600', min: 1, help: 'Expires granted when a request has none (RFC 3856 suggests one hour).' },
  'sip-t1': { kind: 'integer', placeholder: 'MS', default: '500', min: 1, help: 'SIP timer T1 in milliseconds; a NOTIFY transaction times out after 64*T1.' },
  'server-header': {
    kind: 'string',
    placeholder: 'NAME',
    help: 'Server header of our responses and User-Agent of the requests we send (NOTIFY); default sip-presence/VERSION (this release). Empty: neither.',
  },
  'no-server-header': { kind: 'boolean', help: 'Send neither Server nor User-Agent (same as an empty --server-header).' },
  // TLS: the certificate of the tls: and wss: listeners, re-read on SIGHUP.
  'tls-cert': { kind: 'string', placeholder: 'FILE', help: 'PEM certificate (chain) of the tls and wss listeners; required with one. Re-read on SIGHUP.' },
  'tls-key': { kind: 'string', placeholder: 'FILE', help: 'PEM private key of --tls-cert. Re-read on SIGHUP.' },
};

/** Digest authentication at the SIP edge; kept in one block (edge and standalone take it). */
export const AUTH_OPTIONS: OptionTable = {
  auth: {
    kind: 'string',
    placeholder: 'MODE',
    default: 'digest',
    help: 'digest: REGISTER, PUBLISH and SUBSCRIBE must authenticate with a user\'s password (RFC 7616 digest, SHA-256 or MD5; users from "presence user add"). none: anyone may act for any AOR; refused with a listen address other than loopback unless --insecure.',
  },
  insecure: { kind: 'boolean', help: 'Let --auth none listen on addresses other than loopback (anyone who reaches them may act for any AOR).' },
  realm: {
    kind: 'string',
    placeholder: 'LIST',
    default: '',
    help: 'Digest realm per served domain, comma separated DOMAIN=REALM (e.g. example.com=Example); a domain not listed is its own realm. Users\' passwords are stored for a realm.',
  },
  'auth-algorithms': {
    kind: 'string',
    placeholder: 'LIST',
    default: 'SHA-256,MD5',
    help: 'Digest algorithms offered, one challenge each in this order, and the only ones accepted (SHA-256, MD5). UAs that answer only the first challenge and know only MD5 (SIPp before 3.7.3, baresip/libre before 3.11) need MD5 first or alone.',
  },
  'nonce-lifetime': { kind: 'integer', placeholder: 'SECONDS', default: '300', min: 1, help: 'How long a digest nonce may be used; after that the UA is challenged again with stale=true.' },
  'nonce-key-file': {
    kind: 'string',
    placeholder: 'FILE',
    help: 'File holding the key nonces are signed with (at least 32 characters, the same on every edge). Unset: a key created in the store and shared by every edge.',
  },
  'auth-max-failures': { kind: 'integer', placeholder: 'N', default: '10', min: 1, help: 'Failed authentications from one source address, or for one user, that lock it out.' },
  'auth-lockout': { kind: 'integer', placeholder: 'SECONDS', default: '300', min: 1, help: 'How long a locked-out source or user is refused (403, no challenge) after its last failure.' },
};

/** Connection limits of the tcp, tls, ws and wss listeners (README "Connection limits"); kept in one block (edge and standalone take it). */
export const CONNECTION_OPTIONS: OptionTable = {
  'sip-max-connections': { kind: 'integer', placeholder: 'N', default: '10000', min: 1, help: 'Open SIP connections, all stream transports, ours to UAs included; new inbound ones past it are refused.' },
  'sip-max-connections-per-address': { kind: 'integer', placeholder: 'N', default: '1000', min: 1, help: 'Inbound SIP connections from one IP address (UAs behind one NAT share it); past it they are refused.' },
  'sip-header-timeout': { kind: 'number', placeholder: 'SECONDS', default: '10', min: 0.01, help: 'A SIP message begun on a connection (or a WebSocket upgrade) must be complete within this, or the connection is closed (slow-loris).' },
  'sip-idle-timeout': { kind: 'number', placeholder: 'SECONDS', default: '60', min: 0.01, help: 'An inbound connection that has sent no complete SIP message this long after opening is closed. Once one came, idleness never closes it.' },
  'sip-max-write-queue': { kind: 'integer', placeholder: 'BYTES', default: '2097152', min: 131072, help: 'Bytes waiting for a peer that does not read, past which it is disconnected (at least the 128 KiB message limit).' },
};

/** Caps per AOR and per source (README "Limits"); kept in one block (edge and standalone take it). */
export const LIMIT_OPTIONS: OptionTable = {
  'max-contacts-per-aor': { kind: 'integer', placeholder: 'N', default: '10', min: 1, help: 'Bindings one AOR may hold; a REGISTER that would add past it gets 403 "Too many registered contacts" and changes nothing.' },
  'max-subscriptions-per-watcher': {
    kind: 'integer',
    placeholder: 'N',
    default: '1000',
    min: 1,
    help: 'Subscriptions one watcher AOR may hold on this edge (counted per edge, not cluster-wide); a new SUBSCRIBE past it gets 403. Refreshes always pass.',
  },
  'max-subscriptions-per-address': {
    kind: 'integer',
    placeholder: 'N',
    default: '10000',
    min: 1,
    help: 'Subscriptions this edge holds created from one IP address (UAs behind one NAT share it); a new SUBSCRIBE past it gets 503 with Retry-After. Refreshes always pass.',
  },
  'rls-max-members': {
    kind: 'integer',
    placeholder: 'N',
    default: '1000',
    min: 1,
    help: 'Members one resource list subscription (RFC 4662: an rls-services list or an RFC 5367 body list) may hold once nested lists and references are flattened; a longer list gets 403 naming the limit.',
  },
  'rls-foreign-members': {
    kind: 'string',
    placeholder: 'HOW',
    default: 'noresource',
    help: 'Resource list members in domains not served here: noresource (shown terminated, reason noresource) or subscribe (a back-end SUBSCRIBE to the member\'s SIP URI host and port, no DNS SRV/NAPTR; its NOTIFYs fill the member\'s instance). At most 100 per list and 10,000 per edge; past them, noresource.',
  },
};

/** Page-mode MESSAGE (README "Instant messaging"); kept in one block (edge and standalone take it). */
export const MESSAGE_OPTIONS: OptionTable = {
  'max-message-bytes': {
    kind: 'integer',
    placeholder: 'BYTES',
    default: '65536',
    min: 1,
    help: 'Largest MESSAGE body accepted; a larger one gets 413.',
  },
  'offline-messages-per-user': {
    kind: 'integer',
    placeholder: 'N',
    default: '500',
    min: 1,
    help: 'MESSAGEs stored for one recipient without a registered contact; one more gets 486 "Busy Here: offline message store full".',
  },
  'offline-message-ttl': {
    kind: 'integer',
    placeholder: 'SECONDS',
    default: '604800',
    min: 1,
    help: 'How long a stored MESSAGE waits for its recipient to register before it is dropped (counted in presence_messages_expired_total); default 7 days.',
  },
  'offline-sweep-interval': {
    kind: 'number',
    placeholder: 'SECONDS',
    default: '30',
    min: 0.1,
    help: 'How often an edge retries stored MESSAGEs for recipients that have a registered contact (what a REGISTER did not deliver: a UA that did not answer, an edge killed mid-delivery).',
  },
  'message-exploder-user': {
    kind: 'string',
    placeholder: 'USER',
    default: 'exploder',
    help: 'User part of the multi-recipient MESSAGE service (RFC 5365): a MESSAGE to sip:USER@<served domain> with Require: recipient-list-message and a multipart/mixed body (message + application/resource-lists+xml recipient list, at most 100) is sent on to each recipient.',
  },
};

/** Per-source rate limits and overload mode of the edge (README "Rate limits and overload"); kept in one block (edge and standalone take it). */
export const PROTECTION_OPTIONS: OptionTable = {
  'rate-limit': {
    kind: 'number',
    placeholder: 'N',
    default: '200',
    min: 0,
    help: 'New requests per second one source IP address (IPv6: one /64) may send, sustained (a token bucket per address; retransmissions, ACKs and responses are free). Past it: 503 with Retry-After, or nothing on UDP with --rate-limit-udp drop. 0 turns it off.',
  },
  'rate-limit-burst': { kind: 'integer', placeholder: 'N', default: '2000', min: 1, help: 'Requests one source address may send at once above --rate-limit (the bucket size), e.g. a NAT full of phones rebooting together.' },
  'rate-limit-udp': {
    kind: 'string',
    placeholder: 'ACTION',
    default: '503',
    help: '503: an over-limit UDP source gets 503 with Retry-After (answered without keeping state); drop: nothing (for floods from spoofed addresses). TCP, TLS and WebSocket always get 503.',
  },
  'rate-limit-exempt': { kind: 'string', placeholder: 'CIDRS', default: '', help: 'Comma list of CIDR blocks or addresses never rate limited, e.g. an SBC or a load generator (10.0.0.0/8,2001:db8::1). Overload mode still applies to them.' },
  'overload-event-loop-lag': {
    kind: 'integer',
    placeholder: 'MS',
    default: '500',
    min: 0,
    help: 'Event-loop lag (three samples in a row, 100 ms apart) that puts the edge in overload mode: requests out of a dialog (initial SUBSCRIBE and PUBLISH, REGISTER, OPTIONS) get 503 with Retry-After; in-dialog requests flow. It ends after 2 s below half of it. 0: lag is not watched.',
  },
  'overload-pending': {
    kind: 'integer',
    placeholder: 'N',
    default: '4000',
    min: 0,
    help: 'Requests received and not yet answered (waiting for their turn or for an agent) that put the edge in overload mode; it ends after 2 s below half of it. 0: not watched.',
  },
  'overload-retry-after': { kind: 'integer', placeholder: 'SECONDS', default: '5', min: 1, help: 'Retry-After of the 503s of overload mode.' },
};

export const PARTITION_OPTIONS: OptionTable = {
  partitions: { kind: 'integer', placeholder: 'N', default: '256', min: 1, help: 'Presentity partitions; fixed for the life of a cluster (every process must agree).' },
};

export const AGENT_OPTIONS: OptionTable = {
  'lease-time': { kind: 'number', placeholder: 'SECONDS', default: '8', min: 1, help: 'Partition lease time: how long a crashed agent\'s partitions wait before another agent takes them.' },
  'deadline-margin': {
    kind: 'integer',
    placeholder: 'MS',
    default: '250',
    min: 0,
    help: 'Clock skew allowed between hosts (NTP keeps it below): an edge request counts as expired this long before the deadline the edge stamped.',
  },
};

/** What one presentity may hold (README "Limits"); kept in one block (agent and standalone take it). */
export const PUBLICATION_OPTIONS: OptionTable = {
  'max-publications-per-presentity': {
    kind: 'integer',
    placeholder: 'N',
    default: '16',
    min: 1,
    help: 'Live publications one presentity may have; a new PUBLISH past it gets 403. Refreshes, modifications and removals still pass.',
  },
  'max-presence-document-bytes': {
    kind: 'integer',
    placeholder: 'BYTES',
    default: '65536',
    min: 1024,
    help: 'Bytes of all bodies published for one presentity together (what its document is composed of); a PUBLISH that grows them past it gets 413.',
  },
};

/** Who may watch whom (issue #12, RFC 5025 pres-rules); kept in one block (agent and standalone take it). */
export const AUTHORIZATION_OPTIONS: OptionTable = {
  'default-sub-handling': {
    kind: 'string',
    placeholder: 'ACTION',
    default: 'confirm',
    help: 'What a watcher no rule of the presentity\'s pres-rules covers gets: confirm (pending until a rule allows it: Subscription-State pending, no presence shown), allow (sees everything, as without authorization) or block (403).',
  },
};

const natsOption = (help: string, fallback?: string): OptionTable => ({
  nats: { kind: 'string', placeholder: 'URL', default: fallback, help },
});
const redisOption = (help: string, fallback?: string): OptionTable => ({
  redis: { kind: 'string', placeholder: 'URL', default: fallback, help },
});

const CLUSTER_HELP = {
  nats: 'NATS server URL(s), comma separated.',
  redis: 'Redis URL; several comma separated host:port seeds (or URLs) select Redis Cluster (a password on one seed is used for every node).',
};

export const BACKEND_OPTIONS: OptionTable = {
  ...natsOption(CLUSTER_HELP.nats, 'nats://127.0.0.1:4222'),
  ...redisOption(CLUSTER_HELP.redis, 'redis://127.0.0.1:6379'),
  prefix: { kind: 'string', placeholder: 'NAME', default: '', help: 'Prefix for bus subjects and Redis keys, so several deployments can share NATS and Redis.' },
};

export const PROCESS_OPTIONS: OptionTable = {
  http: { kind: 'string', placeholder: 'HOST:PORT', default: '127.0.0.1:9464', help: 'Where /metrics, /healthz and /readyz are served; "off" disables.' },
  id: { kind: 'string', placeholder: 'ID', help: 'Identity of this process in the cluster (default: hostname-pid).' },
  'log-level': { kind: 'string', placeholder: 'LEVEL', default: 'info', help: 'debug, info, warn, error or silent. Logs are JSON lines on stderr.' },
  'log-level-file': {
    kind: 'string',
    placeholder: 'FILE',
    help: 'File holding the log level (one word); read at start instead of --log-level and again on SIGHUP.',
  },
};

/** Operating a running process (README "Operate"): the admin API `presence ctl` talks to, and SIP tracing. */
export const ADMIN_OPTIONS: OptionTable = {
  'admin-token-file': {
    kind: 'string',
    placeholder: 'FILE',
    help: 'File holding the bearer token the admin API (/admin/v1/ on --http) requires. Without it the admin API answers only on a loopback --http.',
  },
};

export const TRACE_OPTIONS: OptionTable = {
  hep: { kind: 'string', placeholder: 'udp:HOST:PORT', help: 'Send a HEP3 copy of every SIP message in and out to a Homer/heplify collector (UDP, fire and forget).' },
  'hep-id': { kind: 'integer', placeholder: 'N', min: 0, help: 'HEP capture agent id (default 0).' },
  'sip-trace': { kind: 'string', placeholder: 'FILE', help: 'Write every SIP message in and out to FILE as pcap (truncated at start; read it with sngrep -I FILE or Wireshark).' },
};

/** `presence ctl …`: which process to ask and how to prove the right to. */
export const CTL_OPTIONS: OptionTable = {
  url: { kind: 'string', placeholder: 'URL', default: 'http://127.0.0.1:9464', help: 'The process to ask: where its --http listens.' },
  token: { kind: 'string', placeholder: 'TOKEN', help: 'Bearer token of its admin API. Prefer --token-file: a command line is visible to other users.' },
  'token-file': { kind: 'string', placeholder: 'FILE', help: 'File holding the bearer token (the process\'s --admin-token-file).' },
  limit: { kind: 'integer', placeholder: 'N', min: 1, help: 'presentity, watchers, bindings, dialog: list at most N entries (the process answers 100 by default, 1000 at most).' },
};

export const STANDALONE_OPTIONS: OptionTable = {
  ...SIP_OPTIONS,
  ...CONNECTION_OPTIONS,
  ...LIMIT_OPTIONS,
  ...MESSAGE_OPTIONS,
  ...PROTECTION_OPTIONS,
  ...AUTH_OPTIONS,
  ...PARTITION_OPTIONS,
  ...PUBLICATION_OPTIONS,
  ...AUTHORIZATION_OPTIONS,
  ...XCAP_OPTIONS,
  'data-dir': {
    kind: 'string',
    placeholder: 'DIR',
    help: 'Directory where the in-memory store keeps a snapshot across restarts (unset: state is lost on restart).',
  },
  ...natsOption(`${CLUSTER_HELP.nats} Unset: an in-process bus.`),
  ...redisOption(`${CLUSTER_HELP.redis} Unset: the in-memory store.`),
  prefix: BACKEND_OPTIONS.prefix!,
  workers: {
    kind: 'string',
    placeholder: 'N|auto',
    default: '1',
    help: 'Edge worker processes sharing the SIP listeners (auto: one per CPU). 1: everything in one process. Above 1, this process keeps the agent, store, HTTP and XCAP, and each UDP dialog stays on one worker (by Call-ID).',
  },
  'worker-udp-ports': {
    kind: 'integer',
    placeholder: 'FIRST',
    min: 0,
    help: 'With --workers above 1: worker i sends its UDP requests (NOTIFY, MESSAGE) from a port of its own, FIRST+i (0: any free port), on each UDP listen address and named in their Via, so their responses come straight back to it instead of half of them through the other worker. Open these ports too. Watchers behind a NAT that only lets in the port they sent to may not get those NOTIFYs: leave it unset for them (requests leave from the shared port).',
  },
  ...PROCESS_OPTIONS,
  ...ADMIN_OPTIONS,
  ...TRACE_OPTIONS,
};

export const EDGE_OPTIONS: OptionTable = { ...SIP_OPTIONS, ...CONNECTION_OPTIONS, ...LIMIT_OPTIONS, ...MESSAGE_OPTIONS, ...PROTECTION_OPTIONS, ...AUTH_OPTIONS, ...PARTITION_OPTIONS, ...BACKEND_OPTIONS, ...PROCESS_OPTIONS, ...ADMIN_OPTIONS, ...TRACE_OPTIONS };

/** The xcap role: its listener, the SIP TLS and --auth options (same users), the cluster backends. */
export const XCAP_ROLE_OPTIONS: OptionTable = {
  ...XCAP_OPTIONS,
  'tls-cert': SIP_OPTIONS['tls-cert']!,
  'tls-key': SIP_OPTIONS['tls-key']!,
  ...AUTH_OPTIONS,
  ...PARTITION_OPTIONS,
  ...BACKEND_OPTIONS,
  ...PROCESS_OPTIONS,
  ...ADMIN_OPTIONS,
};

export const AGENT_ROLE_OPTIONS: OptionTable = { ...PARTITION_OPTIONS, ...AGENT_OPTIONS, ...PUBLICATION_OPTIONS, ...AUTHORIZATION_OPTIONS, ...BACKEND_OPTIONS, ...PROCESS_OPTIONS, ...ADMIN_OPTIONS };

/** `presence user …`: the store the roles use (--data-dir or --redis/--prefix, the same names and variables) and what a user record holds. */
export const USER_OPTIONS: OptionTable = {
  'data-dir': {
    kind: 'string',
    placeholder: 'DIR',
    help: 'Data directory of the standalone server (its users.json); a running server picks a change up within about a second.',
  },
  ...redisOption(`${CLUSTER_HELP.redis} The cluster's users; takes precedence over --data-dir, as for standalone.`),
  prefix: { kind: 'string', placeholder: 'NAME', default: '', help: 'Redis key prefix of the deployment (as given to its processes).' },
  realm: { kind: 'string', placeholder: 'REALM', help: 'add, passwd: digest realm the HA1s are computed for (default: add, the AOR\'s domain; passwd, the realm stored).' },
  'display-name': { kind: 'string', placeholder: 'NAME', help: 'add, passwd: display name kept with the user; empty removes it.' },
  enable: { kind: 'boolean', help: 'add, passwd: the user may authenticate (add\'s default).' },
  disable: { kind: 'boolean', help: 'add, passwd: the user is refused, answered as an unknown one.' },
  'show-ha1': { kind: 'boolean', help: 'show: print the HA1s too.' },
  limit: { kind: 'integer', placeholder: 'N', default: '1000', min: 1, help: 'list: print at most N users.' },
};
