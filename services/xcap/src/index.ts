export { createXcapServer } from './xcap-service.js';
export type { XcapServiceOptions } from './xcap-service.js';
export { XcapServer, XCAP_DEFAULTS } from './http/xcap-server.js';
export type { XcapAuthenticator, XcapRequester, XcapServerOptions } from './http/xcap-server.js';
export { openAccess } from './http/open-access.js';
export { XCAP_ROOT_PATH } from './domain/xcap-uri.js';
export { APPLICATION_USAGES } from './domain/application-usages.js';
export { DigestAccess } from './http/digest-access.js';
export type { DigestAccessConfig } from './http/digest-access.js';
