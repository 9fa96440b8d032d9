import { escapeXml } from '../autoconfig/xml-write.ts';
import type { XmlElement } from '../xml/parse.ts';
import { statusLine } from './errors.ts';

/**
 * Writing DAV XML. DAV: elements use the `D:` prefix declared on the root; an element of any other
 * namespace declares its namespace itself (`<x:name xmlns:x="…">`), so property names and stored
 * dead property values from any client can be written without tracking prefixes.
 */

export const DAV_NS = 'DAV:';

export interface QName {
  ns: string;
  name: string;
}

/** `{ns}name`, the key properties are stored and compared by. */
export function clark(q: QName): string {
  return `{${q.ns}}${q.name}`;
}

export function parseClark(key: string): QName {
  const end = key.indexOf('}');
  return { ns: key.slice(1, end), name: key.slice(end + 1) };
}

/** An element with raw (already XML) content; empty content gives an empty element. */
export function element(q: QName, inner = ''): string {
  const [open, close] = q.ns === DAV_NS
    ? [`D:${q.name}`, `D:${q.name}`]
    : q.ns ? [`x:${q.name} xmlns:x="${escapeXml(q.ns)}"`, `x:${q.name}`] : [`${q.name} xmlns=""`, q.name];
  return inner ? `<${open}>${inner}</${close}>` : `<${open}/>`;
}

export function dav(name: string, inner = ''): string {
  return element({ ns: DAV_NS, name }, inner);
}

export function davText(name: string, text: string | number): string {
  return dav(name, escapeXml(String(text)));
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';

export function document(rootName: string, inner: string): string {
  return `${XML_DECLARATION}<D:${rootName} xmlns:D="DAV:">${inner}</D:${rootName}>\n`;
}

/** One `D:response` with its propstats, grouped by status. */
export function propResponse(href: string, byStatus: Map<number, string[]>): string {
  const stats = [...byStatus].filter(([, props]) => props.length)
    .map(([status, props]) => dav('propstat', dav('prop', props.join('')) + davText('status', statusLine(status)))).join('');
  return dav('response', davText('href', href) + stats);
}

export function statusResponse(href: string, status: number, condition?: string): string {
  return dav('response', davText('href', href) + davText('status', statusLine(status)) + (condition ? dav('error', dav(condition)) : ''));
}

/**
 * A parsed element written back as self-contained XML text: every namespaced element and attribute
 * declares its own namespace, so the text keeps its meaning wherever it is inserted.
 */
export function serialise(node: XmlElement): string {
  let counter = 0;
  const attributes = node.attributes.map((a) => {
    if (!a.ns) return ` ${a.name}="${escapeXml(a.value)}"`;
    const prefix = `a${counter++}`;
    return ` xmlns:${prefix}="${escapeXml(a.ns)}" ${prefix}:${a.name}="${escapeXml(a.value)}"`;
  }).join('');
  const inner = node.children.map((c) => (c.kind === 'text' ? escapeXml(c.value) : serialise(c))).join('');
  const open = `${node.name} xmlns="${escapeXml(node.ns)}"${attributes}`;
  return inner ? `<${open}>${inner}</${node.name}>` : `<${open}/>`;
}
