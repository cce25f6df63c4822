import { describe, expect, it } from 'vitest';
import { APPLICATION_USAGES, type ApplicationUsage } from '../domain/application-usages.js';
import { renderXcapCaps } from '../domain/xcap-caps.js';
import { renderXcapError, XCAP_ERROR_NS } from '../domain/xcap-error-document.js';
import type { XcapConflictKind } from '../domain/xcap-failure.js';
import { XsdDocumentValidator } from './xsd-document-validator.js';

const XCAP_ERROR: ApplicationUsage = { auid: 'xcap-error', mimeType: 'application/xcap-error+xml', rootNs: XCAP_ERROR_NS, rootName: 'xcap-error', defaultNs: XCAP_ERROR_NS, schema: 'xcap-error.xsd', userDocuments: false };
const KINDS: XcapConflictKind[] = ['not-well-formed', 'not-xml-frag', 'not-xml-att-value', 'no-parent', 'schema-validation-error', 'uniqueness-failure', 'cannot-insert', 'cannot-delete', 'not-utf-8', 'constraint-failure'];

describe('the transcribed RFC schemas', () => {
  const validator = new XsdDocumentValidator([...APPLICATION_USAGES, XCAP_ERROR]);

  it('every error body the server sends is valid against RFC 4825 §11.2', () => {
    for (const kind of KINDS) {
      expect(() => validator.validate(XCAP_ERROR, renderXcapError({ kind, phrase: `a "${kind}" & <more>` })), kind).not.toThrow();
    }
    const detailed = renderXcapError({ kind: 'uniqueness-failure', exists: [{ field: 'rls-services/service/@uri', altValues: ['sip:a@b'] }] });
    expect(() => validator.validate(XCAP_ERROR, detailed)).not.toThrow();
    expect(() => validator.validate(XCAP_ERROR, renderXcapError({ kind: 'no-parent', ancestor: '/xcap-root/x/users/sip:a@b/index' }))).not.toThrow();
  });

  it('the generated xcap-caps document is valid against RFC 4825 §12.2', () => {
    expect(() => validator.validate(APPLICATION_USAGES.find((usage) => usage.auid === 'xcap-caps')!, renderXcapCaps())).not.toThrow();
  });

  it('a document breaking its schema is a 409 <schema-validation-error> naming the element', () => {
    const lists = APPLICATION_USAGES.find((usage) => usage.auid === 'resource-lists')!;
    expect(() => validator.validate(lists, '<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><entry uri="sip:a@b"/></resource-lists>')).toThrow(
      expect.objectContaining({ status: 409, conflict: expect.objectContaining({ kind: 'schema-validation-error', phrase: expect.stringContaining('entry') }) }),
    );
  });
});
