/* Test-only documents shared by the filter tests (imported by *.test.ts only). */

export const PIDF_NS_URN = 'urn:ietf:params:xml:ns:pidf';

/** A filter-set document with the given <filter> elements and the pidf / rpid / dm prefixes bound. */
export function filterSet(...filters: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter">
  <ns-bindings>
    <ns-binding prefix="pidf" urn="urn:ietf:params:xml:ns:pidf"/>
    <ns-binding prefix="rpid" urn="urn:ietf:params:xml:ns:pidf:rpid"/>
    <ns-binding prefix="dm" urn="urn:ietf:params:xml:ns:pidf:data-model"/>
  </ns-bindings>
  ${filters.join('\n  ')}
</filter-set>`;
}

/** The example: only the basic status, notified only when it changes. */
export const BASIC_STATUS_FILTER = filterSet(`<filter id="basic">
    <what><include type="xpath">/pidf:presence/pidf:tuple/pidf:status/pidf:basic</include></what>
    <trigger><changed>/pidf:presence/pidf:tuple/pidf:status/pidf:basic</changed></trigger>
  </filter>`);

/** A presence document with two tuples, a note and a person with an activity. */
export function presence(basic: string, note = 'at desk', activity = 'busy', secondBasic = 'closed'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:alice@example.com">
  <tuple id="t1"><status><basic>${basic}</basic></status><contact priority="0.8">sip:alice@192.0.2.1</contact><note>${note}</note></tuple>
  <tuple id="t2"><status><basic>${secondBasic}</basic></status></tuple>
  <dm:person id="p1"><rpid:activities><rpid:${activity}/></rpid:activities></dm:person>
</presence>`;
}
