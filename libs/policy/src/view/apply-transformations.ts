import { DATA_MODEL_NS, PIDF_NS, RPID_NS, type PidfDocument, type XmlElement, childElements, emptyPidf, getAttribute, textContent } from '@presence/pidf';
import type { ComponentSelection, Transformations } from '../rules/transformations.js';
import { filterAttributes, permittedAttribute } from './attribute-filter.js';

/**
 * The watcher's view of a presence document (RFC 5025 §3.3): the tuples,
 * persons and devices the transformations provide, each reduced to the
 * attributes they permit, then presence-level notes and extensions as
 * attributes. Pure; the document's entity is kept.
 */
export function applyTransformations(document: PidfDocument, t: Transformations): PidfDocument {
  return {
    entity: document.entity,
    tuples: document.tuples.filter((tuple) => serviceProvided(tuple, t.services)).map((tuple) => filterAttributes('tuple', tuple, t)),
    persons: document.persons.filter((person) => componentProvided(person, t.persons)).map((person) => filterAttributes('person', person, t)),
    devices: document.devices.filter((device) => deviceProvided(device, t.devices)).map((device) => filterAttributes('device', device, t)),
    notes: document.notes.filter((note) => permittedAttribute(note, t) !== undefined),
    others: document.others.flatMap((other) => permittedAttribute(other, t) ?? []),
  };
}

/**
 * What a politely blocked watcher sees (RFC 5025 §3.2.1: as if the
 * presentity were offline): exactly the document the server sends for a
 * presentity with no publication, so nothing tells the two apart.
 */
export function politeBlockDocument(presentity: string): string {
  return emptyPidf(presentity);
}

function componentProvided(element: XmlElement, selection: ComponentSelection): boolean {
  if (selection.all) return true;
  const id = getAttribute(element, 'id');
  if (id !== undefined && selection.occurrenceIds.includes(id)) return true;
  return selection.classes.length > 0 && childElements(element, RPID_NS, 'class').some((c) => selection.classes.includes(textContent(c).trim()));
}

/** RFC 5025 §3.3.1.3: a service by occurrence id, class, service URI (its contact) or that URI's scheme. */
function serviceProvided(tuple: XmlElement, selection: ComponentSelection): boolean {
  if (componentProvided(tuple, selection)) return true;
  const contact = childElements(tuple, PIDF_NS, 'contact')[0];
  if (contact === undefined) return false;
  const uri = textContent(contact).trim();
  if (selection.serviceUris.includes(uri)) return true;
  const colon = uri.indexOf(':');
  return colon > 0 && selection.serviceUriSchemes.includes(uri.slice(0, colon).toLowerCase());
}

/** RFC 5025 §3.3.1.1: a device by occurrence id, class or device id. */
function deviceProvided(device: XmlElement, selection: ComponentSelection): boolean {
  if (componentProvided(device, selection)) return true;
  return selection.deviceIds.length > 0 && childElements(device, DATA_MODEL_NS, 'deviceID').some((d) => selection.deviceIds.includes(textContent(d).trim()));
}
