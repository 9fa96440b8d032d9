import { SaxesParser, type SaxesTagNS } from 'saxes';

/**
 * Namespace-aware parsing of the small XML documents clients send (autodiscover requests, DAV
 * bodies) into a plain tree, on saxes (strict XML 1.0 and namespaces, no DTD processing). A
 * DOCTYPE is refused outright, so no entity can be declared or expanded, and limits on length,
 * depth and node count keep a hostile body cheap.
 */

export interface XmlAttribute {
  ns: string;
  name: string;
  value: string;
}

export interface XmlElement {
  kind: 'element';
  /** The namespace URI, '' when the element is in no namespace. */
  ns: string;
  /** The local name (without prefix). */
  name: string;
  attributes: XmlAttribute[];
  children: XmlNode[];
}

export interface XmlText {
  kind: 'text';
  value: string;
}

export type XmlNode = XmlElement | XmlText;

export interface XmlLimits {
  maxLength: number;
  maxDepth: number;
  maxNodes: number;
}

export const DEFAULT_LIMITS: XmlLimits = { maxLength: 64 * 1024, maxDepth: 32, maxNodes: 2000 };

export class XmlError extends Error {}

/** Parses one document; throws XmlError for anything that is not well-formed or exceeds the limits. */
export function parseXml(input: string, limits: XmlLimits = DEFAULT_LIMITS): XmlElement {
  if (input.length > limits.maxLength) throw new XmlError('document too large');
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let nodes = 0;
  const add = (node: XmlNode) => {
    if (++nodes > limits.maxNodes) throw new XmlError('too many nodes');
    stack[stack.length - 1]?.children.push(node);
  };
  parser.on('error', (err) => {
    throw new XmlError(err.message);
  });
  parser.on('doctype', () => {
    throw new XmlError('DOCTYPE is not allowed');
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    if (stack.length >= limits.maxDepth) throw new XmlError('elements nested too deeply');
    const element: XmlElement = {
      kind: 'element',
      ns: tag.uri,
      name: tag.local,
      attributes: Object.values(tag.attributes).filter((a) => a.prefix !== 'xmlns' && a.name !== 'xmlns').map((a) => ({ ns: a.uri, name: a.local, value: a.value })),
      children: [],
    };
    add(element);
    root ??= element;
    if (!tag.isSelfClosing) stack.push(element);
  });
  parser.on('closetag', (tag) => {
    if (!tag.isSelfClosing) stack.pop();
  });
  const text = (value: string) => {
    if (stack.length) add({ kind: 'text', value });
  };
  parser.on('text', text);
  parser.on('cdata', text);
  parser.write(input.replace(/^\uFEFF/, '')).close();
  if (!root) throw new XmlError('no root element');
  return root;
}

/** The element children of an element, optionally only those with a given namespace and name. */
export function childElements(parent: XmlElement, ns?: string, name?: string): XmlElement[] {
  return parent.children.filter((c): c is XmlElement => c.kind === 'element' && (ns === undefined || c.ns === ns) && (name === undefined || c.name === name));
}

/** The concatenated text directly inside an element. */
export function textOf(element: XmlElement): string {
  return element.children.map((c) => (c.kind === 'text' ? c.value : '')).join('');
}
