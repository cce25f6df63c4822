import type { PublicationLimits } from '@presence/core';
import type { OptionValues } from '@presence/runtime';

/** PUBLICATION_OPTIONS as the agent takes them (agent and standalone roles). */
export function publicationLimitsFromOptions(values: OptionValues): PublicationLimits {
  return {
    maxPublications: values['max-publications-per-presentity'] as number,
    maxDocumentBytes: values['max-presence-document-bytes'] as number,
  };
}
