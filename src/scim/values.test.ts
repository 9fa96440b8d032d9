import type { AttributeDefinition } from './schema.ts';
import { coerceValue, parseBooleanText, parseDateTime } from './values.ts';
import { errorOf } from '../../test/helpers/scim-error.ts';

function def(type: AttributeDefinition['type'], options: Partial<AttributeDefinition> = {}): AttributeDefinition {
  return { name: 'x', type, multiValued: false, description: '', required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none', ...options };
}

describe('parseDateTime', () => {
  test('xsd:dateTime with Z, an offset, fractions, or no zone (read as UTC)', () => {
    expect(parseDateTime('2011-05-13T04:42:34Z')).toBe(Date.UTC(2011, 4, 13, 4, 42, 34));
    expect(parseDateTime('2011-05-13T06:42:34+02:00')).toBe(Date.UTC(2011, 4, 13, 4, 42, 34));
    expect(parseDateTime('2011-05-13T04:42:34.5Z')).toBe(Date.UTC(2011, 4, 13, 4, 42, 34, 500));
    expect(parseDateTime('2011-05-13T04:42:34')).toBe(Date.UTC(2011, 4, 13, 4, 42, 34));
  });

  test.each(['2011-05-13', 'yesterday', '2011-13-45T99:00:00Z', '2011-05-13 04:42:34Z', ''])('%j is not one', (text) => {
    expect(parseDateTime(text)).toBeUndefined();
  });
});

describe('parseBooleanText', () => {
  test('any case of true and false, nothing else', () => {
    expect(['True', 'FALSE', 'true', 'false', 'yes', '1', ''].map(parseBooleanText)).toEqual([true, false, true, false, undefined, undefined, undefined]);
  });
});

describe('coerceValue', () => {
  test('simple types', () => {
    expect(coerceValue(def('integer'), 3)).toBe(3);
    expect(coerceValue(def('decimal'), 0.5)).toBe(0.5);
    expect(coerceValue(def('dateTime'), '2020-02-29T12:00:00Z')).toBe('2020-02-29T12:00:00Z');
    expect(coerceValue(def('binary'), 'AAEC')).toBe('AAEC');
    expect(coerceValue(def('boolean'), 'TRUE')).toBe(true);
  });

  test.each([
    [def('integer'), 1.5],
    [def('integer'), '3'],
    [def('decimal'), Number.POSITIVE_INFINITY],
    [def('dateTime'), 'not a date'],
    [def('dateTime'), 20200229],
    [def('string'), { value: 'x' }],
    [def('boolean'), 0],
    [def('string'), ['a']],
  ])('%j refuses %j', (definition, value) => {
    expect(errorOf(() => coerceValue(definition, value)).scimType).toBe('invalidValue');
  });

  test('unassigned values come back undefined', () => {
    expect(coerceValue(def('string'), null)).toBeUndefined();
    expect(coerceValue(def('string', { multiValued: true }), [])).toBeUndefined();
    expect(coerceValue(def('string', { multiValued: true }), [null, 'a'])).toEqual(['a']);
  });
});
