import type { Bus } from '@presence/bus';
import type { Subjects } from '@presence/contracts';
import type { Clock, XcapDocumentStore } from '@presence/core';
import type { Logger } from '@presence/runtime';
import type { Registry } from 'prom-client';
import type { DocumentValidator } from './documents/document-checks.js';
import { XcapDocuments } from './documents/xcap-documents.js';
import { createXcapMetrics } from './http/xcap-metrics.js';
import { XcapServer, type XcapAuthenticator, type XcapServerOptions } from './http/xcap-server.js';
import { APPLICATION_USAGES } from './domain/application-usages.js';
import type { XsdDocumentValidator } from './validation/xsd-document-validator.js';

export interface XcapServiceOptions extends Omit<XcapServerOptions, 'documents' | 'metrics'> {
  readonly store: XcapDocumentStore;
  readonly bus: Bus;
  readonly subjects: Subjects;
  readonly clock: Clock;
  readonly authenticator: XcapAuthenticator;
  /** Where presence_xcap_* metrics go; absent: not counted. */
  readonly registry?: Registry;
  /** Schema validation; absent: the usages' XML schemas through libxml2-wasm. */
  readonly validator?: DocumentValidator;
}

/**
 * The XCAP server over a store and a bus: what the `xcap` role and
 * `standalone --xcap-listen` run. Async because the schemas (libxml2-wasm,
 * about 100 ms and a few MB to instantiate) are loaded only here, so a
 * process that serves no XCAP never pays for them.
 */
export async function createXcapServer(options: XcapServiceOptions): Promise<XcapServer> {
  const { store, bus, subjects, clock, logger, validator, registry, ...server } = options;
  const documents = new XcapDocuments({ store, bus, subjects, clock, logger, validator: validator ?? (await sharedValidator()) });
  return new XcapServer({ ...server, logger, documents, ...(registry === undefined ? {} : { metrics: createXcapMetrics(registry) }) });
}

let schemas: Promise<XsdDocumentValidator> | undefined;

/** The compiled schemas are immutable: one set per process, however many servers (tests start several). */
function sharedValidator(): Promise<XsdDocumentValidator> {
  schemas ??= import('./validation/xsd-document-validator.js').then(({ XsdDocumentValidator }) => new XsdDocumentValidator(APPLICATION_USAGES.filter((usage) => usage.userDocuments)));
  return schemas;
}
