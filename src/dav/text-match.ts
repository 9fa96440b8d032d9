/**
 * The text-match of CalDAV and CardDAV filters (RFC 4791 §9.7.5, RFC 6352 §10.5.4) with the
 * collations both require (RFC 4790 i;octet and i;ascii-casemap) and i;unicode-casemap (RFC 5051),
 * which phones send for names with accents.
 */
export const COLLATIONS = ['i;ascii-casemap', 'i;unicode-casemap', 'i;octet'] as const;
export type Collation = (typeof COLLATIONS)[number];
export const MATCH_TYPES = ['equals', 'contains', 'starts-with', 'ends-with'] as const;
export type MatchType = (typeof MATCH_TYPES)[number];

export interface TextMatch {
  readonly text: string;
  readonly collation: Collation;
  readonly matchType: MatchType;
  readonly negate: boolean;
}

export function isCollation(name: string): name is Collation {
  return (COLLATIONS as readonly string[]).includes(name);
}

export function isMatchType(name: string): name is MatchType {
  return (MATCH_TYPES as readonly string[]).includes(name);
}

export function textMatches(value: string, match: TextMatch): boolean {
  const fold = FOLDS[match.collation];
  const haystack = fold(value);
  const needle = fold(match.text);
  const found = {
    equals: () => haystack === needle,
    contains: () => haystack.includes(needle),
    'starts-with': () => haystack.startsWith(needle),
    'ends-with': () => haystack.endsWith(needle),
  }[match.matchType]();
  return found !== match.negate;
}

const FOLDS: Record<Collation, (s: string) => string> = {
  'i;octet': (s) => s,
  // Only A–Z fold: "É" and "é" stay different under this collation, as RFC 4790 defines it.
  'i;ascii-casemap': (s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase()),
  // RFC 5051 titlecases after decomposition; full case folding of the decomposed form compares the same way.
  'i;unicode-casemap': (s) => s.normalize('NFKD').toUpperCase().toLowerCase().normalize('NFKD'),
};
