/** XPath-like reading of our XML answers, through the same parser the server uses for requests. */
import { childElements, parseXml, textOf, type XmlElement } from '../../src/xml/parse.ts';

export const NS = {
  ad: 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006',
  o: 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a',
  tb: '',
};

export function parse(text: string): XmlElement {
  return parseXml(text);
}

/**
 * The elements at an absolute path such as `/ad:Autodiscover/o:Response/o:Account/o:Protocol`;
 * each step is `prefix:name` with the prefix looked up in NS (no prefix: no namespace).
 */
export function select(root: XmlElement, path: string): XmlElement[] {
  const steps = path.replace(/^\//, '').split('/').map((step) => {
    const [prefix, name] = step.includes(':') ? step.split(':') as [string, string] : ['tb', step];
    const ns = NS[prefix as keyof typeof NS];
    if (ns === undefined) throw new Error(`unknown prefix ${prefix}`);
    return { ns, name };
  });
  const [first, ...rest] = steps;
  let current = first && root.ns === first.ns && root.name === first.name ? [root] : [];
  for (const step of rest) current = current.flatMap((el) => childElements(el, step.ns, step.name));
  return current;
}

/** The trimmed text of the one element at a path (fails when there is not exactly one). */
export function value(root: XmlElement, path: string): string {
  const found = select(root, path);
  if (found.length !== 1) throw new Error(`${path}: ${found.length} elements`);
  return textOf(found[0]!).trim();
}

/** The trimmed texts of all elements at a path, in document order. */
export function texts(root: XmlElement, path: string): string[] {
  return select(root, path).map((el) => textOf(el).trim());
}

/** The text of a child element by local name. */
export function childText(parent: XmlElement, name: string): string | undefined {
  const [child] = childElements(parent, undefined, name);
  return child ? textOf(child).trim() : undefined;
}

/** The local names of an element's children, in document order. */
export function childNames(parent: XmlElement): string[] {
  return childElements(parent).map((c) => c.name);
}

export function attribute(element: XmlElement, name: string): string | undefined {
  return element.attributes.find((a) => a.ns === '' && a.name === name)?.value;
}
