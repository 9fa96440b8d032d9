/**
 * Writing the set-up documents: a tiny element tree rendered with every text and attribute value
 * escaped, so nothing a client sent (an address echoed back) can change the document's structure.
 */

export interface XmlOut {
  name: string;
  attributes?: Array<[string, string]>;
  /** Either child elements or a text value; an element with neither is written empty. */
  children?: XmlOut[];
  text?: string;
}

/** An element with a text value. */
export function leaf(name: string, text: string | number): XmlOut {
  return { name, text: String(text) };
}

export function node(name: string, children: XmlOut[], attributes?: Array<[string, string]>): XmlOut {
  return attributes ? { name, attributes, children } : { name, children };
}

// Characters XML 1.0 cannot carry at all, even as references: replaced rather than sent broken.
const NOT_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

// Most values (names, dates, numbers) need no escaping; one test saves seven replacements.
const NEEDS_ESCAPE = /[&<>"'\r]|[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function escapeXml(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value
    .replace(NOT_CHAR, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;');
}

/** The document with its UTF-8 declaration, two-space indented. */
export function renderXml(root: XmlOut): string {
  const lines = ['<?xml version="1.0" encoding="utf-8"?>'];
  write(root, 0, lines);
  return `${lines.join('\n')}\n`;
}

function write(element: XmlOut, depth: number, lines: string[]): void {
  const indent = '  '.repeat(depth);
  const attributes = (element.attributes ?? []).map(([name, value]) => ` ${name}="${escapeXml(value)}"`).join('');
  const open = `${indent}<${element.name}${attributes}`;
  if (element.children?.length) {
    lines.push(`${open}>`);
    for (const child of element.children) write(child, depth + 1, lines);
    lines.push(`${indent}</${element.name}>`);
  } else if (element.text !== undefined && element.text !== '') {
    lines.push(`${open}>${escapeXml(element.text)}</${element.name}>`);
  } else {
    lines.push(`${open}/>`);
  }
}
