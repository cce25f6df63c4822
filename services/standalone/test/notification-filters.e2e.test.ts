import { createTestUa, type TestUa } from '@presence/testkit';
import { publish } from '@presence/testkit/behaviour';
import { afterEach, describe, expect, it } from 'vitest';
import { startStandaloneTarget, type StandaloneTarget } from './standalone-target.js';

const ALICE = 'sip:alice@example.com';
const FILTER = 'application/simple-filter+xml';

const filterSet = (...filters: string[]) => `<?xml version="1.0" encoding="UTF-8"?>
<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter">
  <ns-bindings><ns-binding prefix="pidf" urn="urn:ietf:params:xml:ns:pidf"/></ns-bindings>
  ${filters.join('\n')}
</filter-set>`;
/** RFC 4661: only the basic status, and a NOTIFY only when it changes. */
const BASIC_ON_CHANGE = filterSet(`<filter id="basic">
  <what><include type="xpath">/pidf:presence/pidf:tuple/pidf:status/pidf:basic</include></what>
  <trigger><changed>/pidf:presence/pidf:tuple/pidf:status/pidf:basic</changed></trigger>
</filter>`);
const document = (basic: string, note: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${ALICE}"><tuple id="t1"><status><basic>${basic}</basic></status><contact>sip:alice@192.0.2.7</contact><note>${note}</note></tuple></presence>`;

/**
 * Event notification filters (RFC 4660/4661) over real UDP sockets: the
 * watcher's SUBSCRIBE body selects what its NOTIFYs carry and when they go;
 * an unfiltered watcher beside it sees every change, which is how the test
 * knows a change reached the edge without waiting on a clock.
 */
describe('notification filters', () => {
  let target: StandaloneTarget | undefined;
  const agents: TestUa[] = [];

  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.close()));
    await target?.stop();
    target = undefined;
  });

  async function start() {
    target = await startStandaloneTarget();
    const ua = async (aor: string) => {
      const agent = await createTestUa({ transport: 'udp', server: { host: '127.0.0.1', port: target!.port('udp') }, aor });
      agents.push(agent);
      return agent;
    };
    return { alice: await ua(ALICE), bob: await ua('sip:bob@example.com'), carol: await ua('sip:carol@example.com') };
  }

  it('filter - a watcher asking only for the basic status gets only it, and only when it changes', async () => {
    const { alice, bob, carol } = await start();
    const first = await publish(alice, ALICE, { body: document('open', 'at desk'), expires: 600 });
    expect(first.status).toBe(200);
    let etag = first.header('sip-etag')!;

    const { response, dialog } = await bob.subscribe(ALICE, { expires: 600, headers: { 'Content-Type': FILTER }, body: BASIC_ON_CHANGE });
    expect(response.status).toBe(200);
    const initial = await dialog.nextNotify();
    expect(initial.contentType).toBe('application/pidf+xml');
    expect(initial.body).toContain('<tuple id="t1"><status><basic>open</basic></status></tuple>');
    expect(initial.body).not.toContain('note');
    expect(initial.body).not.toContain('contact');
    const watcher = await carol.subscribe(ALICE, { expires: 600 });
    await watcher.dialog.nextNotify();

    // The note changes, the basic status does not: Carol hears of it, Bob does not.
    etag = (await publish(alice, ALICE, { body: document('open', 'in a meeting'), ifMatch: etag, expires: 600 })).header('sip-etag')!;
    expect((await watcher.dialog.nextNotify()).body).toContain('in a meeting');
    // The basic status changes: Bob's next NOTIFY is this one (none came for the note).
    await publish(alice, ALICE, { body: document('closed', 'gone home'), ifMatch: etag, expires: 600 });
    expect((await watcher.dialog.nextNotify()).body).toContain('gone home');
    const changed = await dialog.nextNotify();
    expect(changed.body).toContain('<basic>closed</basic>');
    expect(changed.body).not.toContain('gone home');
    expect(dialog.notifies).toHaveLength(2);
  });

  it('filter - a refresh with a filter of the same id replaces it, remove drops it, a refresh without body keeps it', async () => {
    const { alice, bob } = await start();
    await publish(alice, ALICE, { body: document('open', 'at desk'), expires: 600 });
    const { dialog } = await bob.subscribe(ALICE, { expires: 600, headers: { 'Content-Type': FILTER }, body: BASIC_ON_CHANGE });
    await dialog.nextNotify();

    const notes = filterSet('<filter id="basic"><what><include>/presence/tuple/note</include><exclude>//pidf:status</exclude></what></filter>');
    expect((await dialog.refresh(600, { 'Content-Type': FILTER }, notes)).status).toBe(200);
    const replaced = await dialog.nextNotify();
    expect(replaced.body).toContain('<note>at desk</note>');
    expect(replaced.body).not.toContain('<basic>');
    expect((await dialog.refresh(600)).status).toBe(200);
    expect((await dialog.nextNotify()).body).toContain('<note>at desk</note>');
    expect((await dialog.refresh(600, { 'Content-Type': FILTER }, filterSet('<filter id="basic" remove="true"/>'))).status).toBe(200);
    const whole = await dialog.nextNotify();
    expect(whole.body).toContain('<contact>sip:alice@192.0.2.7</contact>');
    expect(whole.body).toContain('<basic>open</basic>');
  });

  it.each([
    ['a malformed filter', FILTER, filterSet('<filter><what><include>//pidf:basic</include></what></filter>'), 400, 'Invalid filter: <filter> without id'],
    ['an unbound prefix', FILTER, filterSet('<filter id="f"><what><include>//rpid:activities</include></what></filter>'), 400, "prefix 'rpid' not bound"],
    ['XPath beyond the subset', FILTER, filterSet('<filter id="f"><what><include>//pidf:tuple[contains(pidf:note, "x")]</include></what></filter>'), 488, "Filter not supported: XPath ','"],
    ['a filter for another package', FILTER, '<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter" package="dialog"/>', 488, "Filter not supported: filter-set for package 'dialog'"],
    ['another body type', 'text/plain', 'basic only please', 415, 'Unsupported Media Type text/plain'],
  ])('filter - %s is refused (%s) with a reason naming it, and no subscription is made', async (_name, contentType, body, status, reason) => {
    const { bob } = await start();
    const { response } = await bob.subscribe(ALICE, { expires: 600, headers: { 'Content-Type': contentType }, body });
    expect(response.status).toBe(status);
    expect(response.reason).toContain(reason);
  });
});
