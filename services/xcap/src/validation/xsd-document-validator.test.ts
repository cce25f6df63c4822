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

  it('rls-services as RFC 4826 §4.2 has it: extension elements among <packages>, a foreign attribute on <service> only with its schema (strict)', () => {
    const services = APPLICATION_USAGES.find((usage) => usage.auid === 'rls-services')!;
    const withExtension = '<rls-services xmlns="urn:ietf:params:xml:ns:rls-services" xmlns:x="urn:example:x"><service uri="sip:s@example.com"><resource-list>http://x/y</resource-list><packages><package>presence</package><x:flag/></packages></service></rls-services>';
    expect(() => validator.validate(services, withExtension)).not.toThrow();
    const foreignAttribute = '<rls-services xmlns="urn:ietf:params:xml:ns:rls-services" xmlns:x="urn:example:x"><service uri="sip:s@example.com" x:a="1"><resource-list>http://x/y</resource-list></service></rls-services>';
    expect(() => validator.validate(services, foreignAttribute)).toThrow(expect.objectContaining({ status: 409 }));
  });
});

