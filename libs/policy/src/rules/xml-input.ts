import { Buffer } from 'node:buffer';
import { PidfError, type PidfLimits, type XmlElement, parseXmlTree } from '@presence/pidf';
import { PolicyError } from '../policy-error.js';

/**
 * Parses a policy-side XML document with the same hardened reader and
 * limits as PIDF (no DOCTYPE, bounded size, depth, elements, attributes),
 * refusing a root other than {rootNs}rootName before reading further.
 * @throws PolicyError naming `label` and the problem.
 */
export function parsePolicyXml(xml: string, limits: PidfLimits, label: string, rootNs: string, rootName: string): XmlElement {
  if (xml.length > limits.maxBytes || Buffer.byteLength(xml, 'utf8') > limits.maxBytes) {
    throw new PolicyError('too-large', `${label} document too large`);
  }
  // Thrown from inside the parser, so a PidfError: the parser passes only those through; mapped below.
  const checkRoot = (ns: string, name: string): void => {
    if (ns !== rootNs || name !== rootName) throw new PidfError('invalid', `Invalid ${label}: root element is not {${rootNs}}${rootName}`);
  };
  try {
    return parseXmlTree(xml, { limits, checkRoot, label });
  } catch (error) {
    if (error instanceof PidfError) throw new PolicyError(error.kind, error.reason, { cause: error });
    throw error;
  }
}

/** Text content of an element with no child elements, trimmed (xs:token-like values). */
export function trimmedText(element: XmlElement): string {
  let out = '';
  for (const child of element.children) if ('text' in child) out += child.text;
  return out.trim();
}
