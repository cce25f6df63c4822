import { afterEach, describe, expect, it } from 'vitest';
import { canonicalPidf, PidfDiffWatcher, publish } from '@presence/testkit/behaviour';
import { suiteEdgeConfig, TargetSession } from './standalone-target.js';

const ALICE = 'sip:alice@example.com';
const PIDF_DIFF = 'application/pidf-diff+xml';
const PARTIAL_ACCEPT = `${PIDF_DIFF}, application/pidf+xml`;
const RPID = 'urn:ietf:params:xml:ns:pidf:rpid';
const DM = 'urn:ietf:params:xml:ns:pidf:data-model';

const tuple = (id: string, basic: string, contact = `sip:${id}@example.com`) => `<tuple id="${id}"><status><basic>${basic}</basic></status><contact>${contact}</contact></tuple>`;
const person = (activity: string) => `<dm:person id="p1"><rpid:activities><rpid:${activity}/></rpid:activities></dm:person>`;
const presence = (...children: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="${DM}" xmlns:rpid="${RPID}" entity="${ALICE}">${children.join('')}</presence>`;
const pidfDiff = (version: number, operations: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<p:pidf-diff xmlns="urn:ietf:params:xml:ns:pidf" xmlns:p="urn:ietf:params:xml:ns:pidf-diff" xmlns:rpid="${RPID}" xmlns:dm="${DM}" entity="${ALICE}" version="${version}">${operations}</p:pidf-diff>`;

/**
 * Partial presence over real UDP sockets against a standalone server:
 * RFC 5263 notifications (pidf-full, then pidf-diff with consecutive
 * versions) checked by a watcher that applies them with @xmldom/xmldom and
 * xpath (pidf-diff-watcher.ts), beside a plain watcher whose full NOTIFYs
 * are the document the server composed; RFC 5264 partial PUBLISH, and bad
 * patches answered with a reason.
 */
describe('partial presence (RFC 5262-5264)', () => {
  const session = new TargetSession();
  afterEach(() => session.stop());

  async function start(notifyMinIntervalMs = 0) {
    await session.start({ edge: suiteEdgeConfig({ notifyMinIntervalMs }) });
    const [alice, bob, carol] = await Promise.all([ALICE, 'sip:bob@example.com', 'sip:carol@example.com'].map((aor) => session.ua(aor)));
    return { alice: alice!, bob: bob!, carol: carol! };
  }

  it('a pidf-diff watcher gets pidf-full, then diffs with consecutive versions that rebuild exactly what a plain watcher is sent', async () => {
    const { alice, bob, carol } = await start();
    const phone = await publish(alice, ALICE, { body: presence(tuple('phone', 'open'), person('busy')) });
    expect(phone.status).toBe(200);

    const partial = await bob.subscribe(ALICE, { accept: PARTIAL_ACCEPT, expires: 600 });
    const plain = await carol.subscribe(ALICE, { expires: 600 });
    expect(partial.response.status).toBe(200);
    expect(plain.response.status).toBe(200);
    const watcher = new PidfDiffWatcher();
    const step = async () => {
      const [diff, full] = await Promise.all([partial.dialog.nextNotify(), plain.dialog.nextNotify()]);
      expect(diff.contentType).toBe(PIDF_DIFF);
      expect(full.contentType).toBe('application/pidf+xml');
      const kind = watcher.receive(diff.body);
      expect(watcher.canonical()).toBe(canonicalPidf(full.body));
      return { kind, diff: diff.body, full: full.body };
    };

    const first = await step();
    expect(first.kind).toBe('full');
    expect(first.diff).toMatch(/<p:pidf-full [^>]*entity="sip:alice@example.com" version="0">/);

    // A status change: one replace of the text that changed, much smaller than the document.
    const closed = await publish(alice, ALICE, { ifMatch: phone.header('sip-etag'), body: presence(tuple('phone', 'closed'), person('busy')) });
    const statusChange = await step();
    expect(statusChange.kind).toBe('diff');
    expect(statusChange.diff).toContain('version="1"');
    expect(statusChange.diff).toContain(`<p:replace sel="*/tuple[@id='phone']/status[1]/basic[1]/text()">closed</p:replace>`);
    expect(statusChange.diff).not.toContain('busy');
    console.info(`partial presence: a status change is ${Buffer.byteLength(statusChange.diff)} B as pidf-diff, ${Buffer.byteLength(statusChange.full)} B as pidf+xml`);

    // A second publication adds a tuple; the first's person changes; the second is removed: adds, replaces, removes.
    const laptop = await publish(alice, ALICE, { body: presence(tuple('laptop', 'open')) });
    expect((await step()).diff).toContain('<p:add ');
    await publish(alice, ALICE, { ifMatch: closed.header('sip-etag'), body: presence(tuple('phone', 'closed'), person('away')) });
    expect((await step()).diff).toContain('rpid:away');
    await publish(alice, ALICE, { ifMatch: laptop.header('sip-etag'), expires: 0 });
    expect((await step()).diff).toContain(`<p:remove sel="*/tuple[@id='laptop']"/>`);
    expect(watcher.currentVersion).toBe(4);

    // A refresh: nothing to diff from, so the full state again, with the next version.
    expect((await partial.dialog.refresh(600)).status).toBe(200);
    const refreshed = await partial.dialog.nextNotify();
    expect(watcher.receive(refreshed.body)).toBe('full');
    expect(refreshed.body).toContain('version="5"');
    expect(watcher.canonical()).toBe(canonicalPidf(first.full.replace('busy', 'away').replace('>open<', '>closed<')));
  });

  it('rate-limited NOTIFYs that fold several versions diff from what the watcher last got', async () => {
    const { alice, bob } = await start(200);
    // Unchanged tuples around the changing ones, so a diff is smaller than the document (else full state is sent).
    const state = (i: number) => presence(tuple('desk', 'open'), tuple('phone', i % 2 === 0 ? 'closed' : 'open', `sip:phone-${i}@example.com`), tuple('tablet', 'closed'), tuple('car', 'closed'), person(i % 3 === 0 ? 'away' : 'busy'));
    let etag = (await publish(alice, ALICE, { body: state(-1) })).header('sip-etag');
    const partial = await bob.subscribe(ALICE, { accept: PARTIAL_ACCEPT, expires: 600 });
    const watcher = new PidfDiffWatcher();
    expect(watcher.receive((await partial.dialog.nextNotify()).body)).toBe('full');
    let last = '';
    for (let i = 0; i < 10; i++) {
      last = state(i);
      etag = (await publish(alice, ALICE, { ifMatch: etag, body: last })).header('sip-etag');
    }
    // However many NOTIFYs the pacing folded the ten changes into, each is a diff and the last rebuilds the last document.
    const kinds: string[] = [];
    const sizes: number[] = [];
    while (watcher.canonical() !== canonicalPidf(last)) {
      expect(kinds.length).toBeLessThan(10);
      const body = (await partial.dialog.nextNotify()).body;
      sizes.push(Buffer.byteLength(body));
      kinds.push(watcher.receive(body));
    }
    expect(kinds.every((kind) => kind === 'diff')).toBe(true);
    console.info(`partial presence: 10 changes at a 200 ms pacing reached the pidf-diff watcher as ${kinds.length} diff NOTIFYs of ${sizes.join(', ')} B; the document is ${Buffer.byteLength(last)} B`);
  });

  it('partial PUBLISH patches the publication SIP-If-Match names; bad patches are refused with a reason and lose nothing', async () => {
    const { alice, carol } = await start();
    const initial = await publish(alice, ALICE, {
      contentType: PIDF_DIFF,
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<p:pidf-full xmlns="urn:ietf:params:xml:ns:pidf" xmlns:p="urn:ietf:params:xml:ns:pidf-diff" entity="${ALICE}" version="0">${tuple('phone', 'open')}</p:pidf-full>`,
    });
    expect(initial.status).toBe(200);
    const watching = await carol.subscribe(ALICE, { expires: 600 });
    expect((await watching.dialog.nextNotify()).body).toContain('<basic>open</basic>');

    const patched = await publish(alice, ALICE, {
      contentType: PIDF_DIFF,
      ifMatch: initial.header('sip-etag'),
      body: pidfDiff(1, `<p:replace sel="presence/tuple[@id='phone']/status/basic/text()">closed</p:replace><p:add sel="presence/tuple[@id='phone']" pos="after"><tuple id="pager"><status><basic>open</basic></status></tuple></p:add>`),
    });
    expect(patched.status).toBe(200);
    expect(patched.header('sip-etag')).not.toBe(initial.header('sip-etag'));
    const notified = (await watching.dialog.nextNotify()).body;
    expect(notified).toContain('<tuple id="phone"><status><basic>closed</basic></status><contact>sip:phone@example.com</contact></tuple><tuple id="pager">');

    const etag = patched.header('sip-etag')!;
    const refused = async (options: { ifMatch?: string; body: string }) => publish(alice, ALICE, { contentType: PIDF_DIFF, ...options });
    const missing = await refused({ ifMatch: etag, body: pidfDiff(2, `<p:remove sel="*/tuple[@id='fax']"/>`) });
    expect(missing.status).toBe(400);
    expect(missing.reason).toMatch(/<unlocated-node> nothing matches sel "\*\/tuple\[@id='fax'\]"/);
    const root = await refused({ ifMatch: etag, body: pidfDiff(2, `<p:remove sel="presence"/>`) });
    expect(root.status).toBe(400);
    expect(root.reason).toMatch(/<invalid-root-element-operation>/);
    const invalid = await refused({ ifMatch: etag, body: pidfDiff(2, `<p:remove sel="*/tuple[@id='pager']/status"/>`) });
    expect(invalid.status).toBe(400);
    expect(invalid.reason).toMatch(/Invalid PIDF: tuple without status/);
    const malformed = await refused({ ifMatch: etag, body: '<p:pidf-diff xmlns:p="urn:ietf:params:xml:ns:pidf-diff" entity="x"' });
    expect(malformed.status).toBe(400);
    expect(malformed.reason).toMatch(/Malformed pidf-diff/);
    const noTag = await refused({ body: pidfDiff(2, `<p:remove sel="*/tuple[@id='pager']"/>`) });
    expect(noTag.status).toBe(412);
    expect(noTag.reason).toMatch(/needs SIP-If-Match/);
    const unknownTag = await refused({ ifMatch: 'no-such-tag', body: pidfDiff(2, `<p:remove sel="*/tuple[@id='pager']"/>`) });
    expect(unknownTag.status).toBe(412);
    expect((await publish(alice, ALICE, { contentType: 'application/xcap-diff+xml', ifMatch: etag, body: '<x/>' })).status).toBe(415);

    // Nothing refused touched the publication: its entity-tag still names it, and a good patch still applies.
    const after = await refused({ ifMatch: etag, body: pidfDiff(2, `<p:remove sel="*/tuple[@id='pager']"/>`) });
    expect(after.status).toBe(200);
    const last = (await watching.dialog.nextNotify()).body;
    expect(last).toContain('<tuple id="phone"><status><basic>closed</basic>');
    expect(last).not.toContain('pager');
    expect(watching.dialog.notifies).toHaveLength(3);
  });
});
