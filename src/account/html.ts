/**
 * Server-rendered HTML: a tagged template that escapes every interpolated value unless it is
 * already `Html`, so nothing a user or a directory record holds can change a page's structure.
 */
import { escapeXml } from '../autoconfig/xml-write.ts';

export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

type Value = Html | string | number | null | undefined | false | Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeXml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i]!) : ''), ''));
}

/** Markup made by a library (the QR code's SVG), trusted as it is. */
export function trusted(markup: string): Html {
  return new Html(markup);
}
