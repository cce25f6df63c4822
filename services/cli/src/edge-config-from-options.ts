import { hostname } from 'node:os';
import type { EdgeConfig } from '@presence/edge';
import { UsageError, type OptionValues } from '@presence/runtime';
import { parseListenSpecs } from '@presence/sip';
import { startupCertificate, tlsFilesFromOptions } from './tls-files.js';
import { authConfigFromOptions } from './auth-config-from-options.js';
import { protectionConfigFromOptions } from './protection-config-from-options.js';

export function processId(values: OptionValues): string {
  return (values.id as string | undefined) ?? `${hostname()}-${process.pid}`;
}

/** Turns parsed options into the edge's configuration, naming the option at fault. */
export function edgeConfigFromOptions(values: OptionValues): EdgeConfig {
  let listen;
  try {
    listen = parseListenSpecs(values.listen as string);
  } catch (error) {
    throw new UsageError(`--listen: ${(error as Error).message}`);
  }
  const min = values['min-expires'] as number;
  const max = values['max-expires'] as number;
  const fallback = values['default-expires'] as number;
  if (min > max) throw new UsageError(`--min-expires (${min}) must not exceed --max-expires (${max})`);
  if (fallback < min || fallback > max) throw new UsageError(`--default-expires (${fallback}) must lie between --min-expires and --max-expires`);
  const expires = { min, max, default: fallback };
  return {
    edgeId: processId(values),
    listen,
    tls: startupCertificate(tlsFilesFromOptions(values, listen)),
    domains: (values.domain as string).split(','),
    partitionCount: values.partitions as number,
    publishExpires: expires,
    subscribeExpires: expires,
    registerExpires: expires,
    notifyMinIntervalMs: Math.round((values['notify-min-interval'] as number) * 1000),
    notifyKeepAliveMinIntervalMs: Math.max(1, Math.round((values['notify-keepalive-min-interval'] as number) * 1000)),
    agentTimeoutMs: 2000,
    agentRetryBudgetMs: 3000,
    retryAfterSeconds: 5,
    advertisedHost: values['advertised-host'] as string | undefined,
    sipT1Ms: values['sip-t1'] as number,
    connections: {
      maxConnections: values['sip-max-connections'] as number,
      maxConnectionsPerAddress: values['sip-max-connections-per-address'] as number,
      headerTimeoutMs: Math.round((values['sip-header-timeout'] as number) * 1000),
      idleTimeoutMs: Math.round((values['sip-idle-timeout'] as number) * 1000),
      maxQueuedBytes: values['sip-max-write-queue'] as number,
    },
    userAgent: serverHeader(values),
    auth: authConfigFromOptions(values, listen),
    limits: {
      maxContactsPerAor: values['max-contacts-per-aor'] as number,
      maxSubscriptionsPerWatcher: values['max-subscriptions-per-watcher'] as number,
      maxSubscriptionsPerAddress: values['max-subscriptions-per-address'] as number,
      maxListMembers: values['rls-max-members'] as number,
      rlsForeignMembers: rlsForeignMembersFromOptions(values),
    },
    messaging: {
      maxMessageBytes: values['max-message-bytes'] as number,
      offlineMessagesPerUser: values['offline-messages-per-user'] as number,
      offlineMessageTtlMs: (values['offline-message-ttl'] as number) * 1000,
      sweepIntervalMs: Math.round((values['offline-sweep-interval'] as number) * 1000),
      exploderUser: values['message-exploder-user'] as string,
    },
    protection: protectionConfigFromOptions(values),
  };
}

/** --server-header NAME, empty or --no-server-header: none; unset: the edge's default (sip-presence/VERSION). */
function serverHeader(values: OptionValues): string | false | undefined {
  const name = (values['server-header'] as string | undefined)?.trim();
  if (values['no-server-header'] === true || name === '') return false;
  if (name !== undefined && /[\r\n]/.test(name)) throw new UsageError('--server-header: must not contain CR or LF');
  return name;
}

const RLS_FOREIGN_MEMBERS = ['noresource', 'subscribe'] as const;

/** --rls-foreign-members: one of its two choices, else a usage error naming them. */
function rlsForeignMembersFromOptions(values: OptionValues): (typeof RLS_FOREIGN_MEMBERS)[number] {
  const value = values['rls-foreign-members'] as string;
  const choice = RLS_FOREIGN_MEMBERS.find((c) => c === value);
  if (choice === undefined) throw new UsageError(`--rls-foreign-members: "${value}" is none of ${RLS_FOREIGN_MEMBERS.join(', ')}`);
  return choice;
}
