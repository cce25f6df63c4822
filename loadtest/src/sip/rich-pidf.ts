import { pidfWithTimestamp, timestampNote, type BasicStatus } from './pidf-timestamp.js';

/** --pidf-size: small is the one-tuple document; rich what a desk client publishes. */
export const PIDF_SIZES = ['small', 'rich'] as const;
export type PidfSize = (typeof PIDF_SIZES)[number];

/**
 * A document the size real clients publish (RFC 3863 tuples with contact and
 * priority, an RFC 4479 person and device, RFC 4480 activities, mood and
 * place-type). Only the first tuple's basic status and its timestamp note
 * change between PUBLISHes; the rest is the same every time, so a pidf-diff
 * (RFC 5263) carries a small part of it. The fixed parts derive from the
 * entity alone, so every PUBLISH of one presentity repeats them byte for byte.
 */
/** RFC 4479 §3.3: the desk tuple names the device it runs on, the <device> below. */
const DESK_DEVICE = 'urn:uuid:6f1e2a4c-0b7d-4e53-9a21-5c3e8d0f7b14';

export function richPidfWithTimestamp(entity: string, status: BasicStatus, sentAtMs: number): string {
  const user = /^sips?:([^@;]+)/.exec(entity)?.[1] ?? 'user';
  const host = /@([^;>]+)/.exec(entity)?.[1] ?? 'example.com';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" ` +
    `xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:lt="urn:ietf:params:xml:ns:location-type" entity="${entity}">` +
    `<tuple id="lt"><status><basic>${status}</basic></status><dm:deviceID>${DESK_DEVICE}</dm:deviceID>` +
    `<contact priority="0.8">sip:${user}@${host};transport=tcp;gr=desk</contact>${timestampNote(sentAtMs)}</tuple>` +
    `<tuple id="mobile"><status><basic>open</basic></status><dm:deviceID>imei:35-209900-176148-1</dm:deviceID>` +
    `<contact priority="0.5">sip:${user}@${host};transport=tls;gr=mobile</contact><note xml:lang="en">On the mobile client</note>` +
    '<timestamp>2026-01-15T09:30:00Z</timestamp></tuple>' +
    `<tuple id="voicemail"><status><basic>closed</basic></status>` +
    `<contact priority="0.1">sip:vm-${user}@${host}</contact><note xml:lang="en">Voicemail</note></tuple>` +
    '<dm:person id="person"><rpid:activities><rpid:meeting/><rpid:on-the-phone/></rpid:activities>' +
    '<rpid:mood><rpid:interested/></rpid:mood><rpid:place-type><lt:office/></rpid:place-type>' +
    '<rpid:sphere><rpid:work/></rpid:sphere><rpid:time-offset>60</rpid:time-offset>' +
    '<dm:note xml:lang="en">In a meeting until 11:00</dm:note></dm:person>' +
    `<dm:device id="desk"><rpid:user-input idle-threshold="600">active</rpid:user-input>` +
    `<dm:deviceID>${DESK_DEVICE}</dm:deviceID><dm:note xml:lang="en">Desk phone</dm:note></dm:device>` +
    '</presence>'
  );
}

export function pidfBody(size: PidfSize, entity: string, status: BasicStatus, sentAtMs: number): string {
  return size === 'rich' ? richPidfWithTimestamp(entity, status, sentAtMs) : pidfWithTimestamp(entity, status, sentAtMs);
}
