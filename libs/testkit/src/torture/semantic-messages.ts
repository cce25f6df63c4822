import { ALL_TRANSPORTS, answered, CLOSED, IGNORED, sipMessage, topVia, type TortureCase, type TortureWire } from './torture-case.js';
import { edited, request, SDP } from './torture-request.js';

// RFC 4475 §3.3 (application layer) and §3.4 (backward compatibility):
// mostly well-formed messages a parser must not fail on, each with the
// answer RFC 3261 gives a presence server.

function register(w: TortureWire, name: string, contact: string): Buffer {
  return sipMessage([
    `REGISTER sip:${w.domain} SIP/2.0`,
    `Via: ${topVia(w)}`,
    `Max-Forwards: 70`,
    `From: <sip:${name}-${w.id}@${w.domain}>;tag=${name}1`,
    `To: <sip:${name}-${w.id}@${w.domain}>`,
    `Call-ID: ${name}.${w.id}`,
    `CSeq: 1 REGISTER`,
    `Contact: ${contact}`,
    `Expires: 60`,
    `l: 0`,
  ]);
}

export const SEMANTIC_CASES: readonly TortureCase[] = [
  {
    name: 'insuf', section: '3.3.1', title: 'Missing required header fields', valid: true, transports: ALL_TRANSPORTS,
    expect: { default: answered(400) },
    why: 'Call-ID, From and To are mandatory (RFC 3261 §8.1.1): 400.',
    message: (w) => sipMessage([`INVITE sip:user@${w.domain} SIP/2.0`, `CSeq: 193942 INVITE`, `Via: ${topVia(w)}`, `Content-Type: application/sdp`, `l: *`], SDP),
  },
  {
    name: 'unkscm', section: '3.3.2', title: 'Request-URI with an unknown scheme', valid: true, transports: ALL_TRANSPORTS,
    expect: { default: answered(416) },
    why: 'A Request-URI scheme the server does not serve: 416 Unsupported URI Scheme (RFC 3261 §8.2.2.1).',
    message: (w) => request(w, 'unkscm', `OPTIONS nobodyKnowsThisScheme:totallyopaquecontent SIP/2.0`, 'OPTIONS'),
  },
  {
    name: 'novelsc', section: '3.3.3', title: 'Request-URI with a known but atypical scheme', valid: true, transports: ALL_TRANSPORTS,
    expect: { default: answered(416) },
    why: 'soap.beep is a registered scheme this server does not serve: 416 (RFC 3261 §8.2.2.1).',
    message: (w) => request(w, 'novelsc', `OPTIONS soap.beep://192.0.2.103:3002 SIP/2.0`, 'OPTIONS'),
  },
  {
    name: 'unksm2', section: '3.3.4', title: 'Unknown URI schemes in header fields', valid: true, transports: ALL_TRANSPORTS,
    expect: { default: answered(400, 404, 416) },
    why: 'To isbn:, From http:, Contact name: are valid absoluteURIs (RFC 3261 §25.1); a registrar cannot bind an AOR that is no SIP URI (§10.3): refused, never 5xx.',
    message: (w) => sipMessage([
      `REGISTER sip:${w.domain} SIP/2.0`,
      `To: isbn:2983792873`,
      `From: <http://www.example.com>;tag=3234233`,
      `Call-ID: unksm2.${w.id}`,
      `CSeq: 234902 REGISTER`,
      `Max-Forwards: 70`,
      `Via: ${topVia(w)}`,
      `Contact: <name:John_Smith>`,
      `l: 0`,
    ]),
  },
  {
    name: 'bext01', section: '3.3.5', title: 'Proxy-Require and Require', valid: true, transports: ALL_TRANSPORTS,
    expect: { default: answered(420) },
    why: 'A UAS supports none of the Require option tags: 420 Bad Extension listing them in Unsupported (RFC 3261 §8.2.2.3); Proxy-Require is for proxies.',
    message: (w) => request(w, 'bext01', `OPTIONS sip:user@${w.domain} SIP/2.0`, 'OPTIONS', [`Require: nothingSupportsThis, nothingSupportsThisEither`, `Proxy-Require: noProxiesSupportThis, nothingSupportsThis`]),
  },
  {
    name: 'invut', section: '3.3.6', title: 'Unknown Content-Type', valid: true, transports: ALL_TRANSPORTS,
    expect: { default: answered(202) },
    why: 'A page-mode MESSAGE service relays any body unchanged (RFC 3428 §7: the recipient UA judges the content, and would answer 415); with no binding for the recipient it is stored, 202.',
    message: (w) => request(w, 'invut', `MESSAGE sip:user@${w.domain} SIP/2.0`, 'MESSAGE', [`Accept: text/nobodyKnowsThis`], '<audio> <pcmu port="443"/> </audio>\r\n', 'application/unknownformat'),
  },
  {
    name: 'regaut01', section: '3.3.7', title: 'Unknown authorization scheme', valid: true, transports: ALL_TRANSPORTS,
    expect: { default: answered(200) },
    why: 'Authorization with an unknown scheme is well formed (RFC 3261 §25.1 other-response); with --auth none nothing is challenged and the registration succeeds (§10.3).',
    message: (w) => edited(register(w, 'regaut01', `<sip:user@host.example.net>`), [`Expires: 60`, `Expires: 60\r\nAuthorization: NoOneKnowsThisScheme opaque-data=here`]),
  },
  {
    name: 'multi01', section: '3.3.8', title: 'Multiple values in single-value required fields', valid: true, transports: ALL_TRANSPORTS,
    expect: { default: answered(400) },
    why: 'Call-ID, CSeq, From, To and Max-Forwards appear once (RFC 3261 §7.3, §20): 400.',
    message: (w) => sipMessage([
      `INVITE sip:user@${w.domain} SIP/2.0`,
      `Via: ${topVia(w)}`,
      `Max-Forwards: 70`,
      `CSeq: 122 INVITE`,
      `To: sip:user@${w.domain}`,
      `From: sip:caller@example.net;tag=3413415`,
      `To: sip:user2@${w.domain}`,
      `From: sip:caller@example.net;tag=2923420123`,
      `Call-ID: multi01.${w.id}`,
      `Call-ID: multi01.other.${w.id}`,
      `CSeq: 122 INVITE`,
      `Max-Forwards: 5`,
      `Content-Type: application/sdp`,
      `l: *`,
    ], SDP),
  },
  {
    name: 'mcl01', section: '3.3.9', title: 'Multiple Content-Length values', valid: true, transports: ALL_TRANSPORTS,
    expect: { default: answered(400), tcp: CLOSED, tls: CLOSED },
    why: 'Conflicting Content-Length values cannot frame the message: 400 in a datagram, the connection closed on a stream (RFC 4475 §3.3.9, RFC 3261 §18.3).',
    message: (w) => request(w, 'mcl01', `OPTIONS sip:user@${w.domain} SIP/2.0`, 'OPTIONS', [`Content-Length: 0`, `l: 5`], '12345'),
  },
  {
    name: 'bcast', section: '3.3.10', title: '200 OK response with broadcast Via header field value', valid: true, transports: ALL_TRANSPORTS,
    expect: { default: IGNORED },
    why: 'A response is never sent on by a UAS, and one matching no transaction is discarded (RFC 3261 §18.1.2): nothing goes to 255.255.255.255.',
    message: (w) => sipMessage([
      `SIP/2.0 200 OK`,
      `Via: ${topVia(w)}`,
      `Via: SIP/2.0/UDP 255.255.255.255;branch=z9hG4bK1saber23`,
      `Call-ID: bcast.${w.id}`,
      `CSeq: 30 OPTIONS`,
      `From: <sip:user@example.com>;tag=2348`,
      `To: <sip:user@example.net>;tag=2339123`,
      `Content-Length: 0`,
    ]),
  },
  {
    name: 'zeromf', section: '3.3.11', title: 'Max-Forwards of zero', valid: true, transports: ALL_TRANSPORTS,
    expect: { default: answered(200) },
    why: 'Max-Forwards 0 stops forwarding, not a UAS answering a request addressed to it (RFC 3261 §16.3 is for proxies; §11.2): 200.',
    message: (w) => edited(request(w, 'zeromf', `OPTIONS sip:user@${w.domain} SIP/2.0`, 'OPTIONS'), ['Max-Forwards: 70', 'Max-Forwards: 0']),
  },
  {
    name: 'cparam01', section: '3.3.12', title: 'REGISTER with a Contact header parameter', valid: true, transports: ALL_TRANSPORTS,
    expect: { default: answered(200) },
    why: 'Without <>, ;unknownparam belongs to the Contact header, not the URI (RFC 3261 §20.10): a valid registration, 200.',
    message: (w) => register(w, 'cparam01', `sip:+19725552222@gw1.example.net;unknownparam`),
  },
  {
    name: 'cparam02', section: '3.3.13', title: 'REGISTER with a url-parameter', valid: true, transports: ALL_TRANSPORTS,
    expect: { default: answered(200) },
    why: 'Inside <>, ;unknownparam is a URI parameter (RFC 3261 §20.10, §19.1.1): a valid registration, 200.',
    message: (w) => register(w, 'cparam02', `<sip:+19725552222@gw1.example.net;unknownparam>`),
  },
  {
    name: 'regescrt', section: '3.3.14', title: 'REGISTER with a URL escaped header', valid: true, transports: ALL_TRANSPORTS,
    expect: { default: answered(200) },
    why: 'A Contact URI with an escaped header inside <> is valid (RFC 3261 §19.1.1, §20.10): 200.',
    message: (w) => register(w, 'regescrt', `<sip:user@host.example.com?Route=%3Csip:sip.example.com%3E>`),
  },
  {
    name: 'sdp01', section: '3.3.15', title: 'Unacceptable Accept offering', valid: true, transports: ALL_TRANSPORTS,
    expect: { default: answered(405) },
    why: 'The method is inspected before Accept (RFC 3261 §8.2.1 before §8.2.3): INVITE is not served, 405.',
    message: (w) => request(w, 'sdp01', `INVITE sip:user@${w.domain} SIP/2.0`, 'INVITE', [`Accept: text/nobodyKnowsThis`, `Contact: <sip:caller@host.example.net>`], SDP),
  },
  {
    name: 'inv2543', section: '3.4.1', title: 'INVITE with RFC 2543 syntax', valid: true, transports: ALL_TRANSPORTS,
    expect: { default: answered(405) },
    why: 'No branch, no From tag: an RFC 2543 request, matched by Call-ID/CSeq/From/Via (RFC 3261 §17.2.3) and answered like any other. INVITE: 405.',
    message: (w) => sipMessage([
      `INVITE sip:UserB@${w.domain} SIP/2.0`,
      `Via: SIP/2.0/${w.via} ${w.sentBy};rport`,
      `Max-Forwards: 70`,
      `From: BigGuy <sip:UserA@example.net>`,
      `To: LittleGuy <sip:UserB@${w.domain}>`,
      `Call-ID: inv2543.${w.id}`,
      `CSeq: 1 INVITE`,
      `Content-Type: application/sdp`,
      `Content-Length: *`,
    ], SDP),
  },
];
