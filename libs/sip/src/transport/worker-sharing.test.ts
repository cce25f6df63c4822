import { describe, expect, it } from 'vitest';
import { callIdHash, datagramOwner, workerBranchMark, workerCallId } from './worker-sharing.js';

const request = (callIdLine: string, body = '') =>
  Buffer.from(`SUBSCRIBE sip:alice@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc.w1\r\n${callIdLine}\r\nCSeq: 1 SUBSCRIBE\r\nContent-Length: ${body.length}\r\n\r\n${body}`, 'latin1');
const response = (via: string, callId: string) =>
  Buffer.from(`SIP/2.0 200 OK\r\n${via}\r\nCall-ID: ${callId}\r\nCSeq: 1 NOTIFY\r\nContent-Length: 0\r\n\r\n`, 'latin1');

describe('worker-sharing', () => {
  it('datagramOwner - a request goes to hash(Call-ID) mod workers, whatever the header form or spacing', () => {
    const owner = callIdHash('a84b4c76e66710@pc33') % 3;
    expect(datagramOwner(request('Call-ID: a84b4c76e66710@pc33'), 3)).toBe(owner);
    expect(datagramOwner(request('i:a84b4c76e66710@pc33  '), 3)).toBe(owner);
    expect(datagramOwner(request('CALL-ID \t:  a84b4c76e66710@pc33'), 3)).toBe(owner);
    // A request's own branch mark (a client's choice) means nothing: only our responses' marks count.
    expect(datagramOwner(request('Call-ID: other'), 7)).toBe(callIdHash('other') % 7);
  });

  it('datagramOwner - a response goes to the worker its top Via branch names, else by Call-ID', () => {
    expect(datagramOwner(response(`Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKkey.0011${workerBranchMark(2)};rport=5060`, 'x'), 4)).toBe(2);
    expect(datagramOwner(response(`v: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK99${workerBranchMark(0)}, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK1.w3`, 'x'), 4)).toBe(0);
    // Unmarked, or marked for a worker this server does not have: by Call-ID.
    expect(datagramOwner(response('Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK99', 'y'), 4)).toBe(callIdHash('y') % 4);
    expect(datagramOwner(response('Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK99.w9', 'y'), 4)).toBe(callIdHash('y') % 4);
  });

  it('datagramOwner - no Call-ID in the headers: undefined (handled where read); a Call-ID in the body is not one', () => {
    expect(datagramOwner(Buffer.from('garbage'), 2)).toBeUndefined();
    expect(datagramOwner(request('X-Other: 1', 'Call-ID: in-the-body\r\n'), 2)).toBeUndefined();
    expect(datagramOwner(request('Call-ID: '), 2)).toBeUndefined();
  });

  it('callIdHash - spreads Call-IDs over workers', () => {
    const counts = [0, 0];
    for (let i = 0; i < 10_000; i++) counts[callIdHash(`${i.toString(16)}@host`) % 2]!++;
    expect(Math.min(...counts)).toBeGreaterThan(4000);
  });

  it('workerCallId - a Call-ID drawn by a worker routes its datagrams (a NOTIFY of the dialog it started) back to that worker', () => {
    let n = 0;
    const draw = () => `${(n++).toString(16)}@edge`;
    for (const worker of [0, 1, 2]) {
      const callId = workerCallId({ worker, workers: 3 }, draw);
      expect(datagramOwner(request(`Call-ID: ${callId}`), 3)).toBe(worker);
    }
  });
});
