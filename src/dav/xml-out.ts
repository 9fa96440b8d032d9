import { Readable } from 'node:stream';
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
  if (q.ns === DAV_NS) return dav(q.name, inner);
  const open = q.ns ? `x:${q.name} xmlns:x="${escapeXml(q.ns)}"` : `${q.name} xmlns=""`;
  const close = q.ns ? `x:${q.name}` : q.name;
  return inner ? `<${open}>${inner}</${close}>` : `<${open}/>`;
}

// Called several times per member of a large PROPFIND: plain concatenation, nothing allocated.
export function dav(name: string, inner = ''): string {
  return inner ? `<D:${name}>${inner}</D:${name}>` : `<D:${name}/>`;
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
  return dav('response', davText('href', href) + [...byStatus].map(([status, props]) => propstat(status, props.join(''))).join(''));
}

/** A `D:propstat` for the properties' XML, or nothing when there are none. */
export function propstat(status: number, props: string): string {
  return props ? dav('propstat', dav('prop', props) + davText('status', statusLine(status))) : '';
}

/**
 * A document whose children are produced as the body is sent: they leave in chunks of about
 * 64 KiB as the socket takes them, so the first bytes go out early and a large multistatus is
 * never held whole. A child is a promise only where producing it reads the store. An error while
 * producing ends the stream (the client sees a cut answer, never a complete-looking one).
 */
export function documentStream(rootName: string, children: Iterable<string | Promise<string>>): Readable {
  return Readable.from(async function* () {
    let chunk = `${XML_DECLARATION}<D:${rootName} xmlns:D="DAV:">`;
    for (const child of children) {
      chunk += typeof child === 'string' ? child : await child;
      if (chunk.length >= CHUNK) {
        yield chunk;
        chunk = '';
      }
    }
    yield `${chunk}</D:${rootName}>\n`;
  }(), { objectMode: false });
}

const CHUNK = 64 * 1024;

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
