/**
 * The filter of an addressbook-query REPORT (RFC 6352 §10.5) and its test against one card: prop-filters
 * combined by `test` (anyof by default), each with text-matches and param-filters combined the same way.
 */
import { textMatches, type TextMatch } from '../dav/text-match.ts';
import type { Card, CardProperty } from './vcard.ts';

export type FilterTest = 'anyof' | 'allof';

export interface CardFilter {
  readonly test: FilterTest;
  readonly propFilters: readonly CardPropFilter[];
}

export interface CardPropFilter {
  readonly name: string;
  readonly test: FilterTest;
  readonly isNotDefined?: boolean;
  readonly textMatches?: readonly TextMatch[];
  readonly paramFilters?: readonly CardParamFilter[];
}

export interface CardParamFilter {
  readonly name: string;
  readonly isNotDefined?: boolean;
  readonly textMatch?: TextMatch;
}

/** An empty filter matches every card (RFC 6352 §8.6). */
export function matchesCardFilter(card: Card, filter: CardFilter): boolean {
  if (filter.propFilters.length === 0) return true;
  return combine(filter.test, filter.propFilters, (p) => propFilterMatches(card, p));
}

function propFilterMatches(card: Card, filter: CardPropFilter): boolean {
  const name = filter.name.toUpperCase();
  const properties = card.properties.filter((p) => p.name === name);
  if (filter.isNotDefined) return properties.length === 0;
  const tests: Array<(p: CardProperty) => boolean> = [
    ...(filter.textMatches ?? []).map((m) => (p: CardProperty) => textMatches(p.value, m)),
    ...(filter.paramFilters ?? []).map((f) => (p: CardProperty) => paramMatches(p, f)),
  ];
  if (tests.length === 0) return properties.length > 0;
  return properties.some((property) => combine(filter.test, tests, (test) => test(property)));
}

function paramMatches(property: CardProperty, filter: CardParamFilter): boolean {
  const value = property.params[filter.name.toLowerCase()];
  if (filter.isNotDefined) return value === undefined;
  if (value === undefined) return false;
  const match = filter.textMatch;
  if (!match) return true;
  // TYPE=work,voice and repeated TYPE parameters both arrive as lists of single values.
  const values = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(','));
  return values.some((v) => textMatches(v, match));
}

function combine<T>(test: FilterTest, items: readonly T[], ok: (item: T) => boolean): boolean {
  return test === 'allof' ? items.every(ok) : items.some(ok);
}
