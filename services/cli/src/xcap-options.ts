import type { OptionTable } from '@presence/runtime';

/** The XCAP server (README "XCAP"); the xcap role and standalone take it. Names are a contract: add, never rename. */
export const XCAP_OPTIONS: OptionTable = {
  'xcap-listen': {
    kind: 'string',
    placeholder: '[https:]HOST:PORT',
    help: 'Serve XCAP (RFC 4825, root /xcap-root) on this address; "https:" first serves HTTPS with --tls-cert and --tls-key. standalone: unset, no XCAP server.',
  },
  'xcap-max-body': { kind: 'integer', placeholder: 'BYTES', default: '524288', min: 1024, help: 'Largest XCAP request body; a larger one gets 413.' },
  'xcap-header-timeout': { kind: 'number', placeholder: 'SECONDS', default: '10', min: 0.01, help: 'An XCAP request\'s headers must arrive within this, or the connection is closed.' },
  'xcap-idle-timeout': { kind: 'number', placeholder: 'SECONDS', default: '60', min: 0.01, help: 'A keep-alive XCAP connection idle this long is closed.' },
};
