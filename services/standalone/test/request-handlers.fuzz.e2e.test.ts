import { sleep } from '@presence/testkit';
import { DOMAIN } from '@presence/testkit/behaviour';
import { applyMutations, FuzzTarget, FuzzUdp, fuzzAssertAsync, mutations, overTcp, pidfDocument, serverErrors, sipToken, type Mutation } from '@presence/testkit/fuzz';
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Property: every request handler, fed through a real socket, answers
 * generated and damaged requests without 5xx and without stopping: OPTIONS,
 * unsolicited NOTIFY and NOTIFY in a fake dialog, MESSAGE, ACK, CANCEL and
 * BYE with no transaction or dialog, INFO, unknown methods, responses that
 * match no transaction, SUBSCRIBE refreshes and unsubscribes in a real
 * dialog with its tags, Call-ID and CSeq varied, PUBLISH with varied
 * SIP-If-Match, Expires, Event and Content-Type and generated PIDF bodies.
 * The oracle is socket-fuzz.ts's: no 5xx, the process alive, no internal
 * error counted, RSS under the bound. Fixed seeds; `npm run fuzz -- --target
 * sip` runs it longer with fresh ones.
 */
const SEED = 3903;
const UDP_RUNS = 25; // batches of up to BATCH: about 2 000 requests
const BATCH = 120;
const TCP_RUNS = 5;
const TCP_BATCH = 20;

type Kind = 'OPTIONS' | 'NOTIFY' | 'MESSAGE' | 'ACK' | 'CANCEL' | 'BYE' | 'INFO' | 'unknown' | 'response' | 'SUBSCRIBE in dialog' | 'PUBLISH';

interface HandlerCase {
  readonly kind: Kind;
  readonly unknownMethod: string;
  readonly inDialog: boolean;
  readonly callId: 'dialog' | 'fresh' | string;
  readonly fromTag: 'dialog' | 'none' | string;
  readonly toTag: 'dialog' | 'none' | string;
  readonly cseq: string;
  readonly expires: string | undefined;
  readonly event: string | undefined;
  readonly contentType: string | undefined;
  readonly ifMatch: 'known' | string | undefined;
  readonly subscriptionState: string | undefined;
  readonly status: number;
  readonly body: 'pidf' | 'damaged pidf' | string;
  readonly pidf: string;
  readonly mutations: readonly Mutation[];
}

const odd = fc.constantFrom('', ' ', ';', ',', '"', '<', '\t', 'é', '\\', '=;=', 'x'.repeat(300), ' '.repeat(2000));
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 4 });
/** Mostly `valid`, one time in four `other`: most requests must get past the first check to reach their handler. */
const usually = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: other });
const handlerCase: fc.Arbitrary<HandlerCase> = fc.record({
  kind: fc.constantFrom<Kind>('OPTIONS', 'NOTIFY', 'MESSAGE', 'ACK', 'CANCEL', 'BYE', 'INFO', 'unknown', 'response', 'SUBSCRIBE in dialog', 'SUBSCRIBE in dialog', 'PUBLISH', 'PUBLISH'),
  unknownMethod: sipToken,
  inDialog: fc.boolean(),
  callId: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('dialog', 'fresh') }, sipToken),
  fromTag: usually(fc.constant('dialog'), fc.oneof(fc.constant('none'), sipToken, odd)),
  toTag: usually(fc.constant('dialog'), fc.oneof(fc.constant('none'), sipToken, odd)),
  cseq: usually(fc.integer({ min: 1, max: 2 ** 31 - 1 }).map(String), fc.oneof(fc.constantFrom('0', '2147483648', '4294967296', '-1'), odd)),
  expires: maybe(usually(fc.constantFrom('0', '1', '60', '3600'), fc.oneof(fc.constantFrom('86400', '4294967296', '-1', '1e3', '0x10'), odd))),
  event: maybe(usually(fc.constantFrom('presence', 'Presence', 'presence;id=7'), fc.oneof(fc.constantFrom('presence.winfo', 'dialog', 'message-summary'), sipToken, odd))),
  contentType: maybe(usually(fc.constantFrom('application/pidf+xml', 'Application/PIDF+XML; charset=UTF-8'), fc.oneof(fc.constantFrom('application/xpidf+xml', 'text/plain', 'application/', '*/*'), odd))),
  ifMatch: maybe(usually(fc.constant('known'), fc.oneof(sipToken, odd))),
  subscriptionState: maybe(usually(fc.constantFrom('active;expires=60', 'pending', 'terminated;reason=timeout'), fc.oneof(fc.constantFrom('terminated', 'active;expires=-1'), odd))),
  status: fc.integer({ min: 100, max: 699 }),
  body: fc.oneof(fc.constantFrom('pidf', 'pidf', 'damaged pidf', ''), fc.string({ maxLength: 100 })),
  pidf: pidfDocument.map((d) => d.xml),
  mutations: usually(fc.constant<readonly Mutation[]>([]), mutations(2, 2_000)),
});

/** The subscription and publication the in-dialog and conditional cases aim at. */
interface Dialog {
  readonly aor: string;
  readonly callId: string;
  readonly fromTag: string;
  readonly toTag: string;
  readonly etag: string;
}

let unique = 0;

function build(c: HandlerCase, dialog: Dialog, transport: 'UDP' | 'TCP', port: number): Buffer {
  const n = ++unique;
  const method = c.kind === 'unknown' ? c.unknownMethod : c.kind === 'SUBSCRIBE in dialog' ? 'SUBSCRIBE' : c.kind;
  const useDialog = c.kind === 'SUBSCRIBE in dialog' || (c.inDialog && c.kind !== 'PUBLISH');
  const tag = (choice: string, inDialog: string) => (choice === 'none' ? '' : `;tag=${choice === 'dialog' ? (useDialog ? inDialog : `t${n}`) : choice}`);
  const callId = c.callId === 'dialog' && useDialog ? dialog.callId : c.callId === 'fresh' || c.callId === 'dialog' ? `fuzz-h-${process.pid}-${n}` : c.callId;
  const target = c.kind === 'PUBLISH' ? dialog.aor : `sip:fuzz-h-${n}@${DOMAIN}`;
  const lines = [
    `Via: SIP/2.0/${transport} 127.0.0.1:${port};branch=z9hG4bKh${process.pid}x${n};rport`,
    'Max-Forwards: 70',
    `From: <sip:fuzz-watcher@${DOMAIN}>${tag(c.fromTag, dialog.fromTag)}`,
    `To: <${c.kind === 'PUBLISH' || useDialog ? dialog.aor : target}>${tag(c.toTag, dialog.toTag)}`,
    `Call-ID: ${callId}`,
    `CSeq: ${c.cseq} ${c.kind === 'response' ? 'NOTIFY' : method}`,
    `Contact: <sip:fuzz-watcher@127.0.0.1:${port}>`,
  ];
  if (c.expires !== undefined) lines.push(`Expires: ${c.expires}`);
  if (c.event !== undefined) lines.push(`Event: ${c.event}`);
  if (c.subscriptionState !== undefined && (c.kind === 'NOTIFY' || c.kind === 'SUBSCRIBE in dialog')) lines.push(`Subscription-State: ${c.subscriptionState}`);
  if (c.ifMatch !== undefined && c.kind === 'PUBLISH') lines.push(`SIP-If-Match: ${c.ifMatch === 'known' ? dialog.etag : c.ifMatch}`);
  if (c.kind === 'SUBSCRIBE in dialog') lines.push('Accept: application/pidf+xml');
  const pidf = c.pidf.replace(/entity="[^"]*"/, `entity="${dialog.aor}"`);
  const body = c.kind === 'response' || c.kind === 'ACK' ? '' : c.body === 'pidf' ? pidf : c.body === 'damaged pidf' ? pidf.replace('</', '<') : c.body;
  if (body !== '' && c.contentType !== undefined) lines.push(`Content-Type: ${c.contentType}`);
  const start = c.kind === 'response' ? `SIP/2.0 ${c.status} Fuzz` : `${method} ${c.kind === 'PUBLISH' || useDialog ? dialog.aor : target} SIP/2.0`;
  const bodyBytes = Buffer.from(body, 'utf8');
  const head = `${start}\r\n${lines.join('\r\n')}\r\nContent-Length: ${bodyBytes.length}\r\n\r\n`;
  return applyMutations(Buffer.concat([Buffer.from(head, 'utf8'), bodyBytes]), c.mutations);
}

/** A real subscription (its dialog) and a real publication (its entity tag) for the cases to aim at. */
async function openDialog(udp: FuzzUdp, sipPort: number): Promise<Dialog> {
  const aor = `sip:fuzz-presentity-${process.pid}@${DOMAIN}`;
  const callId = `fuzz-dialog-${process.pid}`;
  const fromTag = `w${process.pid}`;
  const via = (b: string) => `Via: SIP/2.0/UDP 127.0.0.1:${udp.port};branch=z9hG4bK${b}${process.pid};rport`;
  const common = ['Max-Forwards: 70', `From: <sip:fuzz-watcher@${DOMAIN}>;tag=${fromTag}`, `To: <${aor}>`];
  const body = `<?xml version="1.0" encoding="UTF-8"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${aor}"><tuple id="t"><status><basic>open</basic></status></tuple></presence>`;
  await udp.sendAll(
    [
      Buffer.from(`SUBSCRIBE ${aor} SIP/2.0\r\n${via('sub')}\r\n${common.join('\r\n')}\r\nCall-ID: ${callId}\r\nCSeq: 1 SUBSCRIBE\r\nContact: <sip:fuzz-watcher@127.0.0.1:${udp.port}>\r\nEvent: presence\r\nAccept: application/pidf+xml\r\nExpires: 3600\r\nContent-Length: 0\r\n\r\n`),
      Buffer.from(`PUBLISH ${aor} SIP/2.0\r\n${via('pub')}\r\n${common.join('\r\n')}\r\nCall-ID: ${callId}-pub\r\nCSeq: 1 PUBLISH\r\nEvent: presence\r\nExpires: 3600\r\nContent-Type: application/pidf+xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`),
    ],
    sipPort,
  );
  const answer = (id: string) => udp.responses.find((r) => r.startsWith('SIP/2.0 2') && new RegExp(`^Call-ID: ${id}\r?$`, 'im').test(r));
  // sendAll stops at the first quiet 150 ms; a loaded machine may answer later than that.
  const waitUntil = Date.now() + 10_000;
  while ((!answer(callId) || !answer(`${callId}-pub`)) && Date.now() < waitUntil) await sleep(50);
  const subscribed = answer(callId);
  const published = answer(`${callId}-pub`);
  const toTag = subscribed && /^To:.*;tag=([^;\r\n]+)/im.exec(subscribed)?.[1];
  const etag = published && /^SIP-ETag: *(\S+)/im.exec(published)?.[1];
  if (!toTag || !etag) throw new Error(`no dialog to fuzz in:\n${udp.responses.join('\n---\n').slice(0, 2000)}`);
  return { aor, callId, fromTag, toTag, etag };
}

describe('every request handler against a standalone process', () => {
  let target: FuzzTarget;
  let udp: FuzzUdp;
  let dialog: Dialog;

  beforeAll(async () => {
    target = await FuzzTarget.start('fuzz-handlers');
    udp = await FuzzUdp.open();
    dialog = await openDialog(udp, target.sipPort);
  });
  afterAll(async () => {
    await udp?.close();
    await target?.stop();
  });

  const serverRuns = () => fc.pre(target.exitReport() === undefined);

  it('fuzz - generated and damaged requests of every method, responses without a transaction, in-dialog SUBSCRIBEs and conditional PUBLISHes over UDP get no 5xx', async () => {
    const sentBefore = udp.sent;
    const answeredBefore = udp.responses.length;
    await fuzzAssertAsync(
      'request handlers over UDP',
      fc.asyncProperty(fc.array(handlerCase, { minLength: 1, maxLength: BATCH, size: 'max' }), async (batch) => {
        serverRuns();
        const before = udp.responses.length;
        await udp.sendAll(batch.map((c) => build(c, dialog, 'UDP', udp.port)), target.sipPort);
        expect(target.exitReport()).toBeUndefined();
        const errors = serverErrors(udp.responses.slice(before));
        expect(errors, errors.join('\n---\n')).toEqual([]);
      }),
      SEED,
      UDP_RUNS,
    );
    // Most requests are answered (ACKs and stray responses are not): the handlers ran.
    expect(udp.responses.length - answeredBefore).toBeGreaterThan((udp.sent - sentBefore) * 0.3);
  });

  it('fuzz - nor over TCP, one connection per request', async () => {
    await fuzzAssertAsync(
      'request handlers over TCP',
      fc.asyncProperty(fc.array(handlerCase, { minLength: 1, maxLength: TCP_BATCH, size: 'max' }), async (batch) => {
        serverRuns();
        const responses = await overTcp(batch.map((c) => build(c, dialog, 'TCP', 5999)), target.sipPort);
        expect(target.exitReport()).toBeUndefined();
        const errors = serverErrors(responses);
        expect(errors, errors.join('\n---\n')).toEqual([]);
      }),
      SEED + 1,
      TCP_RUNS,
    );
  });

  it('fuzz - afterwards the process runs, answers OPTIONS and REGISTER, counted no internal error, and its RSS is under the bound', async () => {
    expect(await target.healthProblems()).toEqual([]);
  });
});
