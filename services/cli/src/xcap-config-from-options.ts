import { parseHostPort, UsageError, type OptionValues } from '@presence/runtime';
import { isLoopback } from './auth-config-from-options.js';

export interface XcapListen {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
}

/** `--xcap-listen [http:|https:]HOST:PORT`, or undefined when not given. */
export function xcapListenFromOptions(values: OptionValues): XcapListen | undefined {
  const text = (values['xcap-listen'] as string | undefined)?.trim();
  if (text === undefined || text === '') return undefined;
  const scheme = /^(https?):(?!\d+$)/.exec(text);
  const address = scheme === null ? text : text.slice(scheme[0].length).replace(/^\/\//, '');
  return { ...parseHostPort('xcap-listen', address), secure: scheme?.[1] === 'https' };
}

/** XCAP's limits and timeouts in the units the server takes. */
export function xcapLimitsFromOptions(values: OptionValues): { maxBodyBytes: number; headersTimeoutMs: number; idleTimeoutMs: number } {
  return {
    maxBodyBytes: values['xcap-max-body'] as number,
    headersTimeoutMs: Math.round((values['xcap-header-timeout'] as number) * 1000),
    idleTimeoutMs: Math.round((values['xcap-idle-timeout'] as number) * 1000),
  };
}

/** `--auth none` serves XCAP unauthenticated: refused off loopback unless --insecure, as for SIP. */
export function checkXcapExposure(listen: XcapListen, values: OptionValues): void {
  if ((values.auth as string).trim().toLowerCase() !== 'none' || values.insecure === true) return;
  if (!isLoopback(listen.host)) {
    throw new UsageError(`--auth none: refusing to serve XCAP without authentication on ${listen.host}:${listen.port} (not loopback); add --insecure to accept that anyone reaching it may edit any user's documents`);
  }
}
