import { describe, expect, it } from '@jest/globals';
import { matchesCardFilter, type CardFilter } from '../../src/contacts/query.ts';
import { parseCard } from '../../src/contacts/vcard.ts';
import type { TextMatch } from '../../src/dav/text-match.ts';

const card = parseCard([
  'BEGIN:VCARD', 'VERSION:3.0', 'N:Doe;John;;;', 'FN:John Doe', 'EMAIL;TYPE=work:john@example.com',
  'EMAIL;TYPE=home:jd@home.example', 'TEL;TYPE=cell,voice:+31 6 1234', 'UID:u1', 'END:VCARD', '',
].join('\r\n'));

const m = (text: string, matchType: TextMatch['matchType'] = 'contains', negate = false): TextMatch =>
  ({ text, collation: 'i;unicode-casemap', matchType, negate });

describe('addressbook-query filters', () => {
  it.each<[string, CardFilter, boolean]>([
    ['an empty filter', { test: 'anyof', propFilters: [] }, true],
    ['FN contains "john"', { test: 'anyof', propFilters: [{ name: 'FN', test: 'anyof', textMatches: [m('john')] }] }, true],
    ['EMAIL ends with "@home.example"', { test: 'anyof', propFilters: [{ name: 'EMAIL', test: 'anyof', textMatches: [m('@home.example', 'ends-with')] }] }, true],
    ['FN or NICKNAME contains "zed"', { test: 'anyof', propFilters: [
      { name: 'FN', test: 'anyof', textMatches: [m('zed')] }, { name: 'NICKNAME', test: 'anyof', textMatches: [m('zed')] },
    ] }, false],
    ['FN has john and EMAIL has example (allof)', { test: 'allof', propFilters: [
      { name: 'FN', test: 'anyof', textMatches: [m('john')] }, { name: 'EMAIL', test: 'anyof', textMatches: [m('example')] },
    ] }, true],
    ['FN has john and NICKNAME exists (allof)', { test: 'allof', propFilters: [
      { name: 'FN', test: 'anyof', textMatches: [m('john')] }, { name: 'NICKNAME', test: 'anyof' },
    ] }, false],
    ['no NICKNAME', { test: 'anyof', propFilters: [{ name: 'NICKNAME', test: 'anyof', isNotDefined: true }] }, true],
    ['one EMAIL both of work type and @example.com (allof within a property)', { test: 'anyof', propFilters: [{
      name: 'EMAIL', test: 'allof', textMatches: [m('@example.com', 'ends-with')], paramFilters: [{ name: 'TYPE', textMatch: m('work', 'equals') }],
    }] }, true],
    ['one EMAIL both of home type and @example.com', { test: 'anyof', propFilters: [{
      name: 'EMAIL', test: 'allof', textMatches: [m('@example.com', 'ends-with')], paramFilters: [{ name: 'TYPE', textMatch: m('home', 'equals') }],
    }] }, false],
    ['a TEL of type voice in a comma list', { test: 'anyof', propFilters: [{ name: 'TEL', test: 'anyof', paramFilters: [{ name: 'TYPE', textMatch: m('voice', 'equals') }] }] }, true],
    ['FN not containing "john"', { test: 'anyof', propFilters: [{ name: 'FN', test: 'anyof', textMatches: [m('john', 'contains', true)] }] }, false],
  ])('%s', (_name, filter, expected) => {
    expect(matchesCardFilter(card, filter)).toBe(expected);
  });
});
