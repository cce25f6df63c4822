/** RFC 3863 §4.1.1: PIDF elements live in this namespace. */
export const PIDF_NS = 'urn:ietf:params:xml:ns:pidf';
/** RFC 4479: data model (person, device). */
export const DATA_MODEL_NS = 'urn:ietf:params:xml:ns:pidf:data-model';
/** RFC 4480: rich presence extensions (RPID). */
export const RPID_NS = 'urn:ietf:params:xml:ns:pidf:rpid';
/** RFC 5196: user agent capabilities. */
export const CAPS_NS = 'urn:ietf:params:xml:ns:pidf:caps';
/** RFC 4482: contact information (CIPID). */
export const CIPID_NS = 'urn:ietf:params:xml:ns:pidf:cipid';
/** RFC 4119: location objects. */
export const GEOPRIV_NS = 'urn:ietf:params:xml:ns:pidf:geopriv10';
/** RFC 4589: location types registry. */
export const LOCATION_TYPE_NS = 'urn:ietf:params:xml:ns:location-type';
/** RFC 5262: partial PIDF documents (pidf-full, pidf-diff). */
export const PIDF_DIFF_NS = 'urn:ietf:params:xml:ns:pidf-diff';
/** Bound to the `xml` prefix by definition; never declared (Namespaces in XML §3). */
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
/** Namespace of xmlns declarations themselves; never part of the tree. */
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/**
 * Conventional prefixes used when rendering, so that output looks like the
 * examples in the RFCs and stays stable across renders.
 */
export const wellKnownPrefixes: ReadonlyMap<string, string> = new Map([
  [DATA_MODEL_NS, 'dm'],
  [RPID_NS, 'rpid'],
  [CAPS_NS, 'c'],
  [CIPID_NS, 'cp'],
  [GEOPRIV_NS, 'gp'],
  [LOCATION_TYPE_NS, 'lt'],
  [PIDF_DIFF_NS, 'p'],
]);
