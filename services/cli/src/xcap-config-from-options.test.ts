import { UsageError } from '@presence/runtime';
import { describe, expect, it } from 'vitest';
import { checkXcapExposure, xcapListenFromOptions } from './xcap-config-from-options.js';

describe('--xcap-listen', () => {
  it('reads HOST:PORT, https:HOST:PORT and [v6]:PORT; unset is no XCAP', () => {
    expect(xcapListenFromOptions({ 'xcap-listen': '127.0.0.1:8090' })).toEqual({ host: '127.0.0.1', port: 8090, secure: false });
    expect(xcapListenFromOptions({ 'xcap-listen': 'https:0.0.0.0:8443' })).toEqual({ host: '0.0.0.0', port: 8443, secure: true });
    expect(xcapListenFromOptions({ 'xcap-listen': 'http://[::1]:8090' })).toEqual({ host: '::1', port: 8090, secure: false });
    expect(xcapListenFromOptions({})).toBeUndefined();
    expect(() => xcapListenFromOptions({ 'xcap-listen': 'nowhere' })).toThrow(UsageError);
  });

  it('--auth none serves XCAP on loopback only, unless --insecure', () => {
    expect(() => checkXcapExposure({ host: '127.0.0.1', port: 1, secure: false }, { auth: 'none' })).not.toThrow();
    expect(() => checkXcapExposure({ host: '0.0.0.0', port: 1, secure: false }, { auth: 'none' })).toThrow(/not loopback/);
    expect(() => checkXcapExposure({ host: '0.0.0.0', port: 1, secure: false }, { auth: 'none', insecure: true })).not.toThrow();
    expect(() => checkXcapExposure({ host: '0.0.0.0', port: 1, secure: false }, { auth: 'digest' })).not.toThrow();
  });
});
