import { createTestUa, type TestUa } from '@presence/testkit';
import { pidf, publish } from '@presence/testkit/behaviour';
import { afterEach, describe, expect, it } from 'vitest';
import { startStandaloneTarget, suiteEdgeConfig, type StandaloneTarget } from './standalone-target.js';

const ALICE = 'sip:alice@example.com';
const BOB = 'sip:bob@example.com';
const note = (text: string) => pidf(ALICE, [{ id: 't1', basic: 'open', note: text }]);

/**
 * RFC 6446 rate control and RFC 5839 conditional notification through real
 * UDP sockets: a watcher's rates negotiated and reflected in
 * Subscription-State, keep-alives and coalescing honoured; entity-tags in
 * every NOTIFY, and a SUBSCRIBE whose tag is current answered without the
 * document (204 in a dialog, a bodiless NOTIFY outside one).
 */
describe('watcher-driven notification control (standalone, udp)', () => {
  let target: StandaloneTarget | undefined;
  const agents: TestUa[] = [];

  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.close()));
    await target?.stop();
    target = undefined;
  });

  async function start() {
    // Keep-alives may come every 100 ms here, so a min-rate test need not wait long.
    target = await startStandaloneTarget({ edge: suiteEdgeConfig({ notifyKeepAliveMinIntervalMs: 100 }) });
    const ua = async (aor: string) => {
      const agent = await createTestUa({ transport: 'udp', server: { host: '127.0.0.1', port: target!.port('udp') }, aor });
      agents.push(agent);
      return agent;
    };
    const alice = await ua(ALICE);
    expect((await publish(alice, ALICE, { body: note('v1'), expires: 3600 })).status).toBe(200);
    return { alice, bob: await ua(BOB) };
  }

  it('RFC 6446 - rates are reflected in Subscription-State; changes within 1/max-rate go as one NOTIFY with the latest state; min-rate sends keep-alives', async () => {
    const { alice, bob } = await start();
    const { response, dialog } = await bob.subscribe(ALICE, { expires: 600, headers: { Event: 'presence;max-rate=0.2' } });
    expect(response.status).toBe(200);
    const first = await dialog.nextNotify();
    expect(first.header('subscription-state')).toMatch(/^active;expires=\d+;max-rate=0\.2$/);
    // The rates travel in Subscription-State (RFC 6446 §5.2); the Event echoes the package.
    expect(first.header('event')).toBe('presence');
    for (const text of ['v2', 'v3', 'v4']) expect((await publish(alice, ALICE, { body: note(text), expires: 3600 })).status).toBe(200);
    // The three changes fall within the 5 s gap: the next NOTIFY carries the last of them.
    const coalesced = await dialog.nextNotify({ timeoutMs: 10_000 });
    expect(coalesced.body).toContain('<note>v4</note>');

    const { dialog: keeper } = await bob.subscribe(ALICE, { expires: 600, headers: { Event: 'presence;min-rate=5;max-rate=20' } });
    const initial = await keeper.nextNotify();
    // min-rate is bounded by the server's keep-alive floor (100 ms here), max-rate as asked.
    expect(initial.header('subscription-state')).toMatch(/;max-rate=20;min-rate=5$/);
    const keepAlive = await keeper.nextNotify();
    // Nothing changed: the same document and entity-tag again.
    expect(keepAlive.body).toBe(initial.body);
    expect(keepAlive.header('sip-etag')).toBe(initial.header('sip-etag'));
  });

  it('RFC 6446 - a malformed or zero rate is refused with 400 naming the parameter', async () => {
    const { bob } = await start();
    const zero = await bob.subscribe(ALICE, { headers: { Event: 'presence;max-rate=0' } });
    expect(zero.response.status).toBe(400);
    expect(zero.response.reason).toContain('max-rate');
    const wrong = await bob.subscribe(ALICE, { headers: { Event: 'presence;adaptive-min-rate=fast' } });
    expect(wrong.response.status).toBe(400);
    expect(wrong.response.reason).toContain('adaptive-min-rate');
  });

  it('RFC 5839 - a refresh with the current tag gets 204 and no NOTIFY; a stale one the full state; an unsubscribe with it 204', async () => {
    const { alice, bob } = await start();
    const { dialog } = await bob.subscribe(ALICE, { expires: 600 });
    const first = await dialog.nextNotify();
    const tag = first.header('sip-etag')!;
    expect(tag).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(first.body).toContain('<note>v1</note>');

    const quiet = await dialog.refresh(600, { 'Suppress-If-Match': tag });
    expect(quiet.status).toBe(204);
    expect(quiet.reason).toBe('No Notification');
    expect(quiet.header('expires')).toBe('600');
    expect((await publish(alice, ALICE, { body: note('v2'), expires: 3600 })).status).toBe(200);
    // The first NOTIFY after the 204 is the change: the refresh sent none.
    const changed = await dialog.nextNotify();
    expect(changed.body).toContain('<note>v2</note>');
    const current = changed.header('sip-etag')!;
    expect(current).not.toBe(tag);

    const stale = await dialog.refresh(600, { 'Suppress-If-Match': tag });
    expect(stale.status).toBe(200);
    const full = await dialog.nextNotify();
    expect(full.body).toContain('<note>v2</note>');
    expect(full.header('sip-etag')).toBe(current);

    const ended = await dialog.refresh(0, { 'Suppress-If-Match': current });
    expect(ended.status).toBe(204);
    // The 204 concluded the subscription (RFC 5839 §5.7): the dialog is gone.
    expect((await dialog.refresh(600)).status).toBe(481);
  });

  it('RFC 5839 - outside a dialog, a current tag gets a NOTIFY without body but with the tag: a poll (Expires: 0) and a resumed subscription', async () => {
    const { bob } = await start();
    const { dialog } = await bob.subscribe(ALICE, { expires: 0 });
    const polled = await dialog.nextNotify();
    const tag = polled.header('sip-etag')!;
    expect(polled.body).toContain('<note>v1</note>');

    const { response, dialog: poll } = await bob.subscribe(ALICE, { expires: 0, headers: { 'Suppress-If-Match': tag } });
    expect(response.status).toBe(200);
    const bodiless = await poll.nextNotify();
    expect(bodiless.header('subscription-state')).toBe('terminated;reason=timeout');
    expect(bodiless.body).toBe('');
    expect(bodiless.header('content-type')).toBeUndefined();
    expect(bodiless.header('sip-etag')).toBe(tag);

    const { dialog: resumed } = await bob.subscribe(ALICE, { expires: 600, headers: { 'Suppress-If-Match': tag } });
    const resumedNotify = await resumed.nextNotify();
    expect(resumedNotify.header('subscription-state')).toMatch(/^active;/);
    expect(resumedNotify.body).toBe('');
    expect(resumedNotify.header('sip-etag')).toBe(tag);

    const { dialog: staleResume } = await bob.subscribe(ALICE, { expires: 600, headers: { 'Suppress-If-Match': 'not-a-current-tag' } });
    expect((await staleResume.nextNotify()).body).toContain('<note>v1</note>');
  });

  it('RFC 5839 - "*" quiets a subscription until a refresh without it; a malformed or repeated condition is a 400', async () => {
    const { alice, bob } = await start();
    const { dialog } = await bob.subscribe(ALICE, { expires: 600 });
    await dialog.nextNotify();
    expect((await dialog.refresh(600, { 'Suppress-If-Match': '*' })).status).toBe(204);
    expect((await publish(alice, ALICE, { body: note('v2'), expires: 3600 })).status).toBe(200);
    expect((await dialog.refresh(600)).status).toBe(200);
    // Whatever the dormant subscription was spared, the refresh brings the current state.
    const awake = await dialog.nextNotify();
    expect(awake.body).toContain('<note>v2</note>');

    const spaced = await bob.subscribe(ALICE, { headers: { 'Suppress-If-Match': 'two words' } });
    expect(spaced.response.status).toBe(400);
    expect(spaced.response.reason).toContain('Suppress-If-Match');
    const twice = await bob.subscribe(ALICE, { headers: { 'Suppress-If-Match': 'a', 'SIP-If-Match': 'b' } });
    expect(twice.response.status).toBe(400);
  });
});
