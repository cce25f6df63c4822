import { describe, expect, it } from 'vitest';
import { PresentitySpheres, sphereOfDocument } from './presentity-spheres.js';

const P = 'sip:p@example.com';
const doc = (sphere: string) =>
  `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="${P}"><dm:person id="p1">${sphere}</dm:person></presence>`;

describe('presentity spheres', () => {
  it('spheres - RFC 4480 §3.7: an empty work/home element or free text; none, or an unreadable document, is no sphere', () => {
    expect(sphereOfDocument(doc('<rpid:sphere><rpid:work/></rpid:sphere>'))).toBe('work');
    expect(sphereOfDocument(doc('<rpid:sphere> bowling league </rpid:sphere>'))).toBe('bowling league');
    expect(sphereOfDocument(doc('<rpid:mood><rpid:happy/></rpid:mood>'))).toBeUndefined();
    expect(sphereOfDocument('<not-pidf')).toBeUndefined();
  });

  it('spheres - parsed once per version; observe says whether a new version moved the sphere', () => {
    const spheres = new PresentitySpheres(2);
    expect(spheres.observe({ presentity: P, version: 1, document: doc('<rpid:sphere>home</rpid:sphere>') })).toBe(true);
    // Same version: the cached value, whatever the text says.
    expect(spheres.sphereOf({ presentity: P, version: 1, document: doc('<rpid:sphere>work</rpid:sphere>') })).toBe('home');
    expect(spheres.observe({ presentity: P, version: 2, document: doc('<rpid:sphere>home</rpid:sphere><rpid:mood/>') })).toBe(false);
    expect(spheres.observe({ presentity: P, version: 3, document: doc('<rpid:sphere><rpid:work/></rpid:sphere>') })).toBe(true);
    expect(spheres.lastKnown(P)).toBe('work');
    expect(spheres.observe({ presentity: 'sip:q@example.com', version: 1, document: doc('') })).toBe(false);
  });
});
