import type { XmlNode } from './xml-node.js';

const WHITESPACE_ONLY = /^[ \t\r\n]*$/;

/**
 * The children of an element that has element children, without the
 * whitespace between them: that is indentation, not content. Only
 * text-only elements keep whitespace (a note may legitimately be " ").
 */
export function withoutIndentation(children: XmlNode[]): XmlNode[] {
  return children.filter((child) => !('text' in child) || !WHITESPACE_ONLY.test(child.text));
}
