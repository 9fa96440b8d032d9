import { describe, expect, it } from '@jest/globals';
import { textMatches, type Collation, type MatchType } from '../../src/dav/text-match.ts';

const match = (value: string, text: string, collation: Collation, matchType: MatchType = 'contains', negate = false) =>
  textMatches(value, { text, collation, matchType, negate });

describe('text-match', () => {
  it.each([
    ['Meeting with Bob', 'bob', 'i;ascii-casemap', 'contains', true],
    ['Meeting with Bob', 'bob', 'i;octet', 'contains', false],
    ['Meeting with Bob', 'MEETING', 'i;ascii-casemap', 'starts-with', true],
    ['Meeting with Bob', 'Bob', 'i;octet', 'ends-with', true],
    ['Meeting with Bob', 'meeting with bob', 'i;ascii-casemap', 'equals', true],
    ['Meeting with Bob', 'meeting', 'i;ascii-casemap', 'equals', false],
    ['Émile', 'émile', 'i;ascii-casemap', 'equals', false],
    ['Émile', 'émile', 'i;unicode-casemap', 'equals', true],
    ['Straße', 'STRASSE', 'i;unicode-casemap', 'equals', true],
    ['ﬁle', 'FILE', 'i;unicode-casemap', 'equals', true],
  ] as const)('%j ~ %j under %s %s → %s', (value, text, collation, matchType, expected) => {
    expect(match(value, text, collation, matchType)).toBe(expected);
  });

  it('negate-condition inverts the answer', () => {
    expect(match('Meeting with Bob', 'bob', 'i;ascii-casemap', 'contains', true)).toBe(false);
    expect(match('Meeting with Bob', 'alice', 'i;ascii-casemap', 'contains', true)).toBe(true);
  });
});
