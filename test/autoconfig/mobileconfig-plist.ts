/**
 * Reading an XML property list back into values, strictly (plutil is not on Debian): our XML parser
 * refuses any DOCTYPE, so Apple's fixed one is checked and removed first; every element must be
 * one a plist may hold, and a <dict> must alternate <key> and value.
 */
import { childElements, parseXml, textOf, type XmlElement } from '../../src/xml/parse.ts';

export type Plist = string | number | boolean | Plist[] | { [key: string]: Plist };

export const APPLE_DOCTYPE = '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">';

export function parsePlist(text: string): Plist {
  const [declaration, doctype, ...rest] = text.split('\n');
  if (declaration !== '<?xml version="1.0" encoding="UTF-8"?>' || doctype !== APPLE_DOCTYPE) throw new Error('not an Apple XML plist');
  const root = parseXml([declaration, ...rest].join('\n'));
  if (root.name !== 'plist' || root.attributes.find((a) => a.name === 'version')?.value !== '1.0') throw new Error('no <plist version="1.0">');
  const [only, ...more] = childElements(root);
  if (!only || more.length) throw new Error('a plist holds exactly one value');
  return value(only);
}

function value(el: XmlElement): Plist {
  switch (el.name) {
    case 'string':
      return textOf(el);
    case 'integer':
      if (!/^-?\d+$/.test(textOf(el))) throw new Error(`bad integer ${textOf(el)}`);
      return Number(textOf(el));
    case 'true':
    case 'false':
      if (el.children.length) throw new Error(`<${el.name}/> must be empty`);
      return el.name === 'true';
    case 'array':
      return childElements(el).map(value);
    case 'dict': {
      const children = childElements(el);
      const out: Record<string, Plist> = {};
      for (let i = 0; i < children.length; i += 2) {
        const key = children[i]!;
        const item = children[i + 1];
        if (key.name !== 'key' || !item) throw new Error('a <dict> alternates <key> and a value');
        const name = textOf(key);
        if (name in out) throw new Error(`duplicate key ${name}`);
        out[name] = value(item);
      }
      return out;
    }
    default:
      throw new Error(`<${el.name}> is not a plist element`);
  }
}
