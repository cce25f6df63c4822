import type { XcapAuthenticator, XcapRequester } from './xcap-server.js';

/** `--auth none` (loopback only, checked where the option is read): nobody is asked who they are. */
export const openAccess: XcapAuthenticator = {
  authenticate: (): Promise<XcapRequester> => Promise.resolve({ open: true }),
};
