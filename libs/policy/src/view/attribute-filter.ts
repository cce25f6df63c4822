import { DATA_MODEL_NS, PIDF_NS, RPID_NS, type XmlElement, isElement } from '@presence/pidf';
import type { AttributePermission, Transformations } from '../rules/transformations.js';

/** RFC 5025 §3.3.2: the RPID elements each boolean attribute permission governs (RFC 4480 names them alike). */
const RPID_PERMISSIONS: ReadonlyMap<string, AttributePermission> = new Map([
  ['activities', 'activities'],
  ['class', 'class'],
  ['mood', 'mood'],
  ['place-is', 'place-is'],
  ['place-type', 'place-type'],
  ['privacy', 'privacy'],
  ['relationship', 'relationship'],
  ['sphere', 'sphere'],
  ['status-icon', 'status-icon'],
  ['time-offset', 'time-offset'],
]);

type Component = 'tuple' | 'person' | 'device';

/**
 * Elements of a provided component that are not attributes but what the
 * component is (RFC 5025 §3.3.1 gives them with the component): a tuple's
 * basic status, contact and timestamp; a device's deviceID (RFC 4479
 * requires it) and timestamp; a person's timestamp.
 */
function isIdentifying(component: Component, child: XmlElement): boolean {
  if (component === 'tuple') return child.ns === PIDF_NS && (child.name === 'contact' || child.name === 'timestamp');
  if (child.ns !== DATA_MODEL_NS) return false;
  return child.name === 'timestamp' || (component === 'device' && child.name === 'deviceID');
}

/**
 * A provided tuple, person or device reduced to the attributes the
 * transformations permit (RFC 5025 §3.3.2); everything when
 * provide-all-attributes. An attribute no permission names is dropped
 * unless provide-unknown-attribute names it.
 */
export function filterAttributes(component: Component, element: XmlElement, t: Transformations): XmlElement {
  if (t.allAttributes) return element;
  const children: XmlElement[] = [];
  for (const child of element.children) {
    if (!isElement(child)) continue;
    if (component === 'tuple' && child.ns === PIDF_NS && child.name === 'status') children.push(filterStatus(child, t));
    else if (isIdentifying(component, child)) children.push(child);
    else {
      const permitted = permittedAttribute(child, t);
      if (permitted !== undefined) children.push(permitted);
    }
  }
  return { ...element, children };
}

/** RFC 3863 <status>: <basic> always, extensions in it as attributes. */
function filterStatus(status: XmlElement, t: Transformations): XmlElement {
  const children: XmlElement[] = [];
  for (const child of status.children) {
    if (!isElement(child)) continue;
    if (child.ns === PIDF_NS && child.name === 'basic') children.push(child);
    else {
      const permitted = permittedAttribute(child, t);
      if (permitted !== undefined) children.push(permitted);
    }
  }
  return { ...status, children };
}

/** The attribute as the watcher may see it, or undefined when not permitted; also used for presence-level notes and extensions. */
export function permittedAttribute(child: XmlElement, t: Transformations): XmlElement | undefined {
  if (t.allAttributes) return child;
  const permission = permissionOf(child);
  if (permission !== undefined) return t.attributes.includes(permission) ? child : undefined;
  if (child.ns === RPID_NS && child.name === 'user-input') return userInputView(child, t);
  return t.unknownAttributes.some((u) => u.ns === child.ns && u.name === child.name) ? child : undefined;
}

function permissionOf(child: XmlElement): AttributePermission | undefined {
  if (child.name === 'note' && (child.ns === PIDF_NS || child.ns === DATA_MODEL_NS)) return 'note';
  if (child.name === 'deviceID' && child.ns === DATA_MODEL_NS) return 'deviceID';
  return child.ns === RPID_NS ? RPID_PERMISSIONS.get(child.name) : undefined;
}

/**
 * RFC 5025 §3.3.2.12: `bare` shows only active/idle, `thresholds` adds the
 * idle threshold, `full` adds when input was last seen.
 */
function userInputView(userInput: XmlElement, t: Transformations): XmlElement | undefined {
  switch (t.userInput) {
    case 'false':
      return undefined;
    case 'bare':
      return { ...userInput, attributes: [] };
    case 'thresholds':
      return { ...userInput, attributes: userInput.attributes.filter((a) => a.ns === '' && a.name === 'idle-threshold') };
    case 'full':
      return userInput;
  }
}
