import { APPLICATION_USAGES, PRES_RULES_NS, XCAP_CAPS_NS } from './application-usages.js';
import { XCAP_ERROR_NS } from './xcap-error-document.js';

/**
 * RFC 4825 §12.2: the server's capabilities document, generated from the
 * usages served: their auids, the extensions (none) and the namespaces of
 * the documents it accepts.
 */
export function renderXcapCaps(extraNamespaces: readonly string[] = []): string {
  const auids = APPLICATION_USAGES.map((usage) => `    <auid>${usage.auid}</auid>`);
  const namespaces = [...new Set([...APPLICATION_USAGES.map((usage) => usage.rootNs), PRES_RULES_NS, ...extraNamespaces, XCAP_ERROR_NS])].map((ns) => `    <namespace>${ns}</namespace>`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<xcap-caps xmlns="${XCAP_CAPS_NS}">`,
    '  <auids>',
    ...auids,
    '  </auids>',
    '  <extensions/>',
    '  <namespaces>',
    ...namespaces,
    '  </namespaces>',
    '</xcap-caps>',
    '',
  ].join('\n');
}
