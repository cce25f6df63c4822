import { encodeMessage, type Subjects } from '@presence/contracts';
import type { XcapDocumentStore } from '@presence/core';
import { PRES_RULES_AUID, presRulesRef } from '@presence/policy';

/**
 * What the XCAP server does after a pres-rules PUT (issue #12): the document
 * goes into the store, then its change is announced on `xcap.pres-rules` so
 * the owning agent applies it to live subscriptions.
 */
export async function announcePresRules(
  store: Pick<XcapDocumentStore, 'putXcapDocument'>,
  bus: { publish(subject: string, data: Uint8Array): void },
  subjects: Subjects,
  owner: string,
  document: string,
): Promise<void> {
  const ref = presRulesRef(owner);
  const outcome = await store.putXcapDocument(ref, document);
  if (!outcome.ok) throw new Error(`pres-rules of ${owner} not written: ${JSON.stringify(outcome)}`);
  const event = { v: 1, type: 'xcap-change', ...ref, etag: outcome.etag, changedAt: Date.now() } as const;
  bus.publish(subjects.xcapChange(PRES_RULES_AUID), encodeMessage(event));
}
