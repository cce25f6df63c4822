import type { Store } from '@presence/core';
import type { Logger, OptionValues } from '@presence/runtime';
import type { XcapServiceOptions } from '@presence/xcap';
import { authConfigFromOptions } from '../auth-config-from-options.js';
import { startupCertificate, type TlsFiles } from '../tls-files.js';
import { checkXcapExposure, xcapLimitsFromOptions, type XcapListen } from '../xcap-config-from-options.js';

/**
 * What the XCAP server takes from the options, store and bus aside:
 * listener, TLS, limits and authentication (the SIP --auth options). The
 * package is imported here, when XCAP is asked for, not by every role.
 */
export async function xcapServerFromOptions(
  values: OptionValues,
  listen: XcapListen,
  store: Store,
  clock: XcapServiceOptions['clock'],
  tlsFiles: TlsFiles | undefined,
): Promise<Omit<XcapServiceOptions, 'store' | 'bus' | 'subjects' | 'clock' | 'logger' | 'registry'>> {
  const { DigestAccess, openAccess } = await import('@presence/xcap');
  checkXcapExposure(listen, values);
  const auth = authConfigFromOptions(values, []);
  const tls = listen.secure ? startupCertificate(tlsFiles) : undefined;
  return {
    host: listen.host,
    port: listen.port,
    ...(tls === undefined ? {} : { tls }),
    ...xcapLimitsFromOptions(values),
    authenticator: auth === 'none' ? openAccess : new DigestAccess(auth, store, clock),
  };
}

export function warnIfXcapOpen(values: OptionValues, logger: Logger): void {
  if ((values.auth as string).trim().toLowerCase() === 'none') logger.warn({}, 'XCAP authentication is off (--auth none): anyone who reaches it may edit any user\'s documents');
}

