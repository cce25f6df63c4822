import { bodyField, readBodyField, RecordReader, SUBSCRIPTION_STATUSES, XCAP_SCOPES, type RecordProblem, type TerminationReason } from '@presence/core';
import { ContractError } from './contract-error.js';
import type { AgentReply, AuthorizationChange, PresentitySnapshot } from './messages/agent-reply.js';
import type { AgentRequest } from './messages/agent-request.js';
import type { ChangeEvent } from './messages/change-event.js';
import type { DeliverReply, DeliverRequest } from './messages/deliver-message.js';
import type { XcapChangeEvent } from './messages/xcap-change.js';
import { WINFO_EVENTS, type WatcherInfoEvent, type WinfoFeedPosition, type WinfoWatcher } from './messages/watcher-info.js';

/** The one place payload shapes are checked: everything past here is typed and trusted. */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeMessage(
  message: AgentRequest | AgentReply | ChangeEvent | DeliverReply | XcapChangeEvent | WatcherInfoEvent | AuthorizationChange,
): Uint8Array {
  return encoder.encode(JSON.stringify(message));
}

/** A DeliverRequest with its body bytes as a BodyField (text, or base64 when not UTF-8). */
export function encodeDeliverRequest(request: DeliverRequest): Uint8Array {
  return encoder.encode(JSON.stringify({ ...request, ...bodyField(request.body) }));
}

const contractError = (problem: RecordProblem): ContractError => new ContractError(problem.message);

function readEnvelope(bytes: Uint8Array, what: string): RecordReader {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (error) {
    throw new ContractError(`${what}: not UTF-8 JSON`, { cause: error });
  }
  const r = RecordReader.object(value, what, contractError);
  if (r.count('v') !== 1) throw new ContractError(`${what}: unsupported version`);
  return r;
}

export function decodeAgentRequest(bytes: Uint8Array): AgentRequest {
  const r = readEnvelope(bytes, 'agent request');
  const type = r.oneOf('type', ['publish', 'subscribe', 'unsubscribe', 'fetch', 'watchers'] as const);
  const deadline = r.optionalNumber('deadline');
  const request = decodeRequestFields(r, type);
  // Added to the fresh record, not spread into a copy: extending a spread copy is a slow path of V8 (frozen-copy.ts).
  return deadline === undefined ? request : Object.assign(request, { deadline });
}

function decodeRequestFields(r: RecordReader, type: AgentRequest['type']): AgentRequest {
  switch (type) {
    case 'publish':
      return {
        v: 1,
        type,
        presentity: r.string('presentity'),
        ifMatch: r.optionalString('ifMatch'),
        expires: r.count('expires'),
        body: r.optionalString('body'),
        contentType: r.optionalString('contentType'),
      };
    case 'subscribe':
      return {
        v: 1,
        type,
        presentity: r.string('presentity'),
        subscriptionId: r.string('subscriptionId'),
        watcher: r.string('watcher'),
        event: r.string('event'),
        expires: r.count('expires'),
        edgeId: r.string('edgeId'),
        ...(r.optionalBoolean('initial') === true ? { initial: true } : {}),
      };
    case 'unsubscribe': {
      const reason = r.optionalString('reason');
      if (reason !== undefined && reason !== 'expired' && reason !== 'notify-failed' && reason !== 'deactivated') throw new ContractError(`agent request: unknown unsubscribe reason ${JSON.stringify(reason.slice(0, 40))}`);
      return { v: 1, type, presentity: r.string('presentity'), subscriptionId: r.string('subscriptionId'), ...(reason === undefined ? {} : { reason }) };
    }
    case 'fetch':
      return { v: 1, type, presentities: r.strings('presentities') };
    case 'watchers':
      return { v: 1, type, presentity: r.string('presentity'), limit: r.count('limit') };
  }
}

function readSnapshot(r: RecordReader): PresentitySnapshot {
  const views = readViews(r);
  return {
    presentity: r.string('presentity'),
    version: r.count('version'),
    incarnation: r.optionalString('incarnation'),
    document: r.string('document'),
    ...viewsField(views),
  };
}

function readViews(r: RecordReader): Readonly<Record<string, string>> | undefined {
  return r.optionalStringRecord('views');
}

function viewsField(views: Readonly<Record<string, string>> | undefined): { views?: Readonly<Record<string, string>> } {
  return views === undefined ? {} : { views };
}

/** RFC 6665 §4.1.3 reasons an agent's decision may carry. */
const DECISION_REASONS: readonly TerminationReason[] = ['rejected', 'deactivated'];

function readReason(r: RecordReader): TerminationReason | undefined {
  return r.optionalOneOf('reason', DECISION_REASONS);
}

export function decodeAgentReply(bytes: Uint8Array): AgentReply {
  const r = readEnvelope(bytes, 'agent reply');
  const type = r.oneOf('type', ['published', 'subscribed', 'unsubscribed', 'states', 'watchers', 'error'] as const);
  switch (type) {
    case 'published':
      return { v: 1, type, etag: r.optionalString('etag'), expires: r.count('expires') };
    case 'subscribed': {
      const reason = readReason(r);
      const viewKey = r.optionalString('viewKey');
      return {
        v: 1,
        type,
        status: r.oneOf('status', SUBSCRIPTION_STATUSES),
        ...(reason === undefined ? {} : { reason }),
        ...(viewKey === undefined ? {} : { viewKey }),
        expires: r.count('expires'),
        state: readSnapshot(r.object('state')),
      };
    }
    case 'unsubscribed':
      return { v: 1, type };
    case 'states':
      return { v: 1, type, states: r.list('states', readSnapshot) };
    case 'watchers':
      return { v: 1, type, presentity: r.string('presentity'), feed: readFeedPosition(r.object('feed')), watchers: r.list('watchers', readWinfoWatcher) };
    case 'error':
      return { v: 1, type, status: r.count('status'), reason: r.string('reason'), headers: r.stringRecord('headers') };
  }
}

export function decodeChangeEvent(bytes: Uint8Array): ChangeEvent {
  const r = readEnvelope(bytes, 'change event');
  r.oneOf('type', ['change'] as const);
  return {
    v: 1,
    type: 'change',
    presentity: r.string('presentity'),
    version: r.count('version'),
    incarnation: r.optionalString('incarnation'),
    document: r.string('document'),
    ...viewsField(readViews(r)),
    changedAt: r.count('changedAt'),
  };
}

export function decodeAuthorizationChange(bytes: Uint8Array): AuthorizationChange {
  const r = readEnvelope(bytes, 'authorization change');
  r.oneOf('type', ['authorization'] as const);
  const reason = readReason(r);
  return {
    v: 1,
    type: 'authorization',
    subscriptionId: r.string('subscriptionId'),
    status: r.oneOf('status', SUBSCRIPTION_STATUSES),
    ...(reason === undefined ? {} : { reason }),
    viewKey: r.string('viewKey'),
    state: readSnapshot(r.object('state')),
  };
}

function readFeedPosition(r: RecordReader): WinfoFeedPosition {
  return { epoch: r.string('epoch'), seq: r.count('seq') };
}

function readWinfoWatcher(r: RecordReader): WinfoWatcher {
  return { id: r.string('id'), watcher: r.string('watcher'), status: r.oneOf('status', SUBSCRIPTION_STATUSES), event: r.oneOf('event', WINFO_EVENTS), expiresAt: r.count('expiresAt') };
}

export function decodeWatcherInfoEvent(bytes: Uint8Array): WatcherInfoEvent {
  const r = readEnvelope(bytes, 'watcher-info event');
  r.oneOf('type', ['watcher-info'] as const);
  const feed = r.object('feed');
  return {
    v: 1,
    type: 'watcher-info',
    presentity: r.string('presentity'),
    feed: { ...readFeedPosition(feed), previous: feed.count('previous') },
    watcher: readWinfoWatcher(r.object('watcher')),
  };
}

export function decodeDeliverRequest(bytes: Uint8Array): DeliverRequest {
  const r = readEnvelope(bytes, 'deliver request');
  r.oneOf('type', ['deliver'] as const);
  const branchKey = r.optionalString('branchKey');
  return {
    v: 1,
    type: 'deliver',
    flow: r.string('flow'),
    uri: r.string('uri'),
    headers: r.stringRecord('headers'),
    body: readBodyField(r),
    ...(branchKey === undefined ? {} : { branchKey }),
  };
}

export function decodeDeliverReply(bytes: Uint8Array): DeliverReply {
  const r = readEnvelope(bytes, 'deliver reply');
  r.oneOf('type', ['delivered'] as const);
  return { v: 1, type: 'delivered', status: r.count('status'), reason: r.string('reason') };
}

export function decodeXcapChange(bytes: Uint8Array): XcapChangeEvent {
  const r = readEnvelope(bytes, 'xcap change');
  r.oneOf('type', ['xcap-change'] as const);
  const previousEtag = r.optionalString('previousEtag');
  const etag = r.optionalString('etag');
  return {
    v: 1,
    type: 'xcap-change',
    auid: r.string('auid'),
    scope: r.oneOf('scope', XCAP_SCOPES),
    owner: r.string('owner'),
    filename: r.string('filename'),
    ...(previousEtag === undefined ? {} : { previousEtag }),
    ...(etag === undefined ? {} : { etag }),
    changedAt: r.count('changedAt'),
  };
}
