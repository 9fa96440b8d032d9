import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, parseAttrPath, parseFilter, parsePatchPath } from './parse.ts';
import type { LogicalFilter } from './parse.ts';
import { errorOf } from '../../../test/helpers/scim-error.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('parseFilter: attribute expressions', () => {
  test('userName eq "bjensen"', () => {
    expect(parseFilter('userName eq "bjensen"')).toEqual({ type: 'compare', path: { name: 'userName' }, op: 'eq', value: 'bjensen' });
  });

  test.each(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'])('operator %s', (op) => {
    expect(parseFilter(`title ${op} "x"`)).toEqual({ type: 'compare', path: { name: 'title' }, op, value: 'x' });
  });

  test('pr takes no value', () => {
    expect(parseFilter('title pr')).toEqual({ type: 'present', path: { name: 'title' } });
  });

  test('operators and keywords are case-insensitive; names are kept as written', () => {
    expect(parseFilter('UserName EQ "x"')).toEqual({ type: 'compare', path: { name: 'UserName' }, op: 'eq', value: 'x' });
    expect(parseFilter('title PR')).toEqual({ type: 'present', path: { name: 'title' } });
    expect(parseFilter('a Pr AND b pR Or NOT (c pr)')).toEqual({
      type: 'or',
      operands: [
        { type: 'and', operands: [{ type: 'present', path: { name: 'a' } }, { type: 'present', path: { name: 'b' } }] },
        { type: 'not', operand: { type: 'present', path: { name: 'c' } } },
      ],
    });
  });

  test('sub-attributes and schema-qualified paths', () => {
    expect(parseFilter('name.familyName co "O\'Malley"')).toEqual({
      type: 'compare', path: { name: 'name', subAttr: 'familyName' }, op: 'co', value: "O'Malley",
    });
    expect(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"')).toEqual({
      type: 'compare', path: { uri: 'urn:ietf:params:scim:schemas:core:2.0:User', name: 'userName' }, op: 'sw', value: 'J',
    });
    expect(parseFilter(`${ENTERPRISE}:manager.value eq "26118915"`)).toEqual({
      type: 'compare', path: { uri: ENTERPRISE, name: 'manager', subAttr: 'value' }, op: 'eq', value: '26118915',
    });
  });

  test('$ref is an attribute name', () => {
    expect(parseFilter('members.$ref pr')).toEqual({ type: 'present', path: { name: 'members', subAttr: '$ref' } });
  });
});

describe('parseFilter: comparison values', () => {
  test.each([
    ['true', true],
    ['false', false],
    ['null', null],
    ['TRUE', true],
    ['False', false],
    ['0', 0],
    ['42', 42],
    ['-7', -7],
    ['3.25', 3.25],
    ['1e3', 1000],
    ['-2.5E-1', -0.25],
  ])('%s', (text, value) => {
    expect(parseFilter(`x eq ${text}`)).toEqual({ type: 'compare', path: { name: 'x' }, op: 'eq', value });
  });

  test('JSON string escapes', () => {
    const filter = parseFilter(String.raw`x eq "a\"b\\c\/d\n\t\u00e9\u20AC"`);
    expect(filter).toEqual({ type: 'compare', path: { name: 'x' }, op: 'eq', value: 'a"b\\c/d\n\té€' });
  });

  test('brackets, parentheses and keywords inside strings are just text', () => {
    expect(parseFilter('x eq "a) or (b ] [ and"')).toEqual({ type: 'compare', path: { name: 'x' }, op: 'eq', value: 'a) or (b ] [ and' });
  });

  test('empty string', () => {
    expect(parseFilter('x eq ""')).toEqual({ type: 'compare', path: { name: 'x' }, op: 'eq', value: '' });
  });
});

describe('parseFilter: logic and precedence', () => {
  const a = { type: 'present', path: { name: 'a' } } as const;
  const b = { type: 'present', path: { name: 'b' } } as const;
  const c = { type: 'present', path: { name: 'c' } } as const;

  test('and binds tighter than or', () => {
    expect(parseFilter('a pr or b pr and c pr')).toEqual({ type: 'or', operands: [a, { type: 'and', operands: [b, c] }] });
    expect(parseFilter('a pr and b pr or c pr')).toEqual({ type: 'or', operands: [{ type: 'and', operands: [a, b] }, c] });
  });

  test('not binds tighter than and', () => {
    expect(parseFilter('not (a pr) and b pr')).toEqual({ type: 'and', operands: [{ type: 'not', operand: a }, b] });
  });

  test('parentheses regroup', () => {
    expect(parseFilter('(a pr or b pr) and c pr')).toEqual({ type: 'and', operands: [{ type: 'or', operands: [a, b] }, c] });
    expect(parseFilter('((a pr))')).toEqual(a);
  });

  test('not( without a space', () => {
    expect(parseFilter('not(a pr)')).toEqual({ type: 'not', operand: a });
  });

  test('chains are n-ary, not deep', () => {
    expect(parseFilter('a pr and b pr and c pr')).toEqual({ type: 'and', operands: [a, b, c] });
    const many = Array.from({ length: 200 }, (_, i) => `x${i} pr`).join(' or ');
    const filter = parseFilter(many);
    expect(filter.type).toBe('or');
    expect((filter as LogicalFilter).operands).toHaveLength(200);
  });

  test('tabs, newlines and repeated spaces are whitespace', () => {
    expect(parseFilter(' a\tpr \n and  b pr ')).toEqual({ type: 'and', operands: [a, b] });
  });
});

describe('parseFilter: value paths', () => {
  test('emails[type eq "work" and value co "@example.com"]', () => {
    expect(parseFilter('emails[type eq "work" and value co "@example.com"]')).toEqual({
      type: 'valuePath',
      path: { name: 'emails' },
      filter: {
        type: 'and',
        operands: [
          { type: 'compare', path: { name: 'type' }, op: 'eq', value: 'work' },
          { type: 'compare', path: { name: 'value' }, op: 'co', value: '@example.com' },
        ],
      },
    });
  });

  test('Entra ID: emails[type eq "work"].value eq "x" folds the test into the brackets', () => {
    expect(parseFilter('emails[type eq "work"].value eq "x@example.com"')).toEqual({
      type: 'valuePath',
      path: { name: 'emails' },
      filter: {
        type: 'and',
        operands: [
          { type: 'compare', path: { name: 'type' }, op: 'eq', value: 'work' },
          { type: 'compare', path: { name: 'value' }, op: 'eq', value: 'x@example.com' },
        ],
      },
    });
  });

  test('an or inside the brackets stays grouped', () => {
    expect(parseFilter('emails[type eq "work" or type eq "home"].value pr')).toEqual({
      type: 'valuePath',
      path: { name: 'emails' },
      filter: {
        type: 'and',
        operands: [
          { type: 'or', operands: [
            { type: 'compare', path: { name: 'type' }, op: 'eq', value: 'work' },
            { type: 'compare', path: { name: 'type' }, op: 'eq', value: 'home' },
          ] },
          { type: 'present', path: { name: 'value' } },
        ],
      },
    });
  });

  test('value paths combine with other expressions', () => {
    const filter = parseFilter('userType eq "Employee" and emails[type eq "work"] or ims[type eq "xmpp"]');
    expect(filter.type).toBe('or');
    const [left, right] = (filter as LogicalFilter).operands;
    expect(left?.type).toBe('and');
    expect(right).toEqual({ type: 'valuePath', path: { name: 'ims' }, filter: { type: 'compare', path: { name: 'type' }, op: 'eq', value: 'xmpp' } });
  });

  test('schema-qualified value path', () => {
    expect(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:emails[primary eq true]')).toEqual({
      type: 'valuePath',
      path: { uri: 'urn:ietf:params:scim:schemas:core:2.0:User', name: 'emails' },
      filter: { type: 'compare', path: { name: 'primary' }, op: 'eq', value: true },
    });
  });
});

describe('parseFilter: every RFC 7644 §3.4.2.2 example parses', () => {
  test.each([
    'userName eq "bjensen"',
    'name.familyName co "O\'Malley"',
    'userName sw "J"',
    'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
    'title pr',
    'meta.lastModified gt "2011-05-13T04:42:34Z"',
    'meta.lastModified ge "2011-05-13T04:42:34Z"',
    'meta.lastModified lt "2011-05-13T04:42:34Z"',
    'meta.lastModified le "2011-05-13T04:42:34Z"',
    'title pr and userType eq "Employee"',
    'title pr or userType eq "Intern"',
    'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    'userType eq "Employee" and (emails.type eq "work")',
    'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
  ])('%s', (text) => {
    expect(() => parseFilter(text)).not.toThrow();
  });
});

describe('parseFilter: malformed input is invalidFilter', () => {
  test.each([
    '',
    '   ',
    'userName',
    'userName eq',
    'userName eq bjensen',
    "userName eq 'bjensen'",
    'userName eq "bjensen',
    'userName equals "x"',
    'userName == "x"',
    'userName eq "x" and',
    'userName eq "x" or',
    'and userName eq "x"',
    'userName eq "x" and or title pr',
    '(userName eq "x"',
    'userName eq "x")',
    '()',
    'not userName eq "x"',
    'not ()',
    'userName eq "x" userName eq "y"',
    'userName pr "x"',
    'userName eq "\\q"',
    'userName eq "\\u12"',
    'userName eq "a\u0001b"',
    'userName eq 01',
    'userName eq 1.',
    'userName eq .5',
    'userName eq 12abc',
    'userName eq -',
    'userName eq undefined',
    'userName eq [1]',
    'user Name eq "x"',
    '1abc eq "x"',
    '"x" eq userName',
    'name..givenName eq "x"',
    'a.b.c eq "x"',
    'name. eq "x"',
    'foo:bar eq "x"',
    ':userName eq "x"',
    'userName eq "x" # comment',
    'emails[type eq "work"',
    'emails[type eq "work"]]',
    'emails[]',
    'emails[type eq "work"].',
    'emails[type eq "work"].value',
    'emails[type eq "work"].value.x eq "y"',
    'emails[type eq "work"]value eq "y"',
    'emails[addresses[type eq "x"]]',
    'emails[emails.type eq "work"]',
    'emails[urn:ietf:params:scim:schemas:core:2.0:User:type eq "work"]',
    'emails.value[type eq "work"]',
    '[type eq "work"]',
    'userName eq "x" and (title pr',
    'userName eq "x" & title pr',
    'userName eq "x" || title pr',
  ])('%j', (text) => {
    const err = errorOf(() => parseFilter(text));
    expect(err.status).toBe(400);
    expect(err.scimType).toBe('invalidFilter');
  });

  test('the detail says where', () => {
    expect(errorOf(() => parseFilter('userName eq bjensen')).message).toMatch(/position 13/);
    expect(errorOf(() => parseFilter('userName xx "a"')).message).toMatch(/unknown operator "xx"/);
  });

  test('a non-string is refused', () => {
    expect(errorOf(() => parseFilter(42 as unknown as string)).scimType).toBe('invalidFilter');
  });
});

describe('parseFilter: limits', () => {
  test(`input longer than ${MAX_FILTER_LENGTH} characters`, () => {
    const err = errorOf(() => parseFilter(`userName eq "${'a'.repeat(MAX_FILTER_LENGTH)}"`));
    expect(err.scimType).toBe('invalidFilter');
    expect(err.message).toMatch(/longer than/);
  });

  test(`nesting up to ${MAX_FILTER_DEPTH} is fine, deeper is refused`, () => {
    const nest = (n: number) => `${'('.repeat(n)}a pr${')'.repeat(n)}`;
    expect(parseFilter(nest(MAX_FILTER_DEPTH))).toEqual({ type: 'present', path: { name: 'a' } });
    const err = errorOf(() => parseFilter(nest(MAX_FILTER_DEPTH + 1)));
    expect(err.scimType).toBe('invalidFilter');
    expect(err.message).toMatch(/nesting/);
  });

  test('nested not( counts too', () => {
    const text = `${'not ('.repeat(MAX_FILTER_DEPTH + 1)}a pr${')'.repeat(MAX_FILTER_DEPTH + 1)}`;
    expect(errorOf(() => parseFilter(text)).message).toMatch(/nesting/);
  });

  test('hostile input fails fast without blowing the stack', () => {
    expect(errorOf(() => parseFilter('('.repeat(MAX_FILTER_LENGTH))).scimType).toBe('invalidFilter');
    expect(errorOf(() => parseFilter('not('.repeat(1000))).scimType).toBe('invalidFilter');
    expect(errorOf(() => parseFilter('a['.repeat(1000))).scimType).toBe('invalidFilter');
  });
});

describe('parsePatchPath', () => {
  test.each([
    ['userName', { name: 'userName' }],
    ['name.givenName', { name: 'name', subAttr: 'givenName' }],
    [`${ENTERPRISE}:manager`, { uri: ENTERPRISE, name: 'manager' }],
    [`${ENTERPRISE}:manager.value`, { uri: ENTERPRISE, name: 'manager', subAttr: 'value' }],
    ['urn:ietf:params:scim:schemas:core:2.0:User:name.givenName', { uri: 'urn:ietf:params:scim:schemas:core:2.0:User', name: 'name', subAttr: 'givenName' }],
  ])('%s', (text, expected) => {
    expect(parsePatchPath(text)).toEqual(expected);
  });

  test('emails[type eq "work"].value (Entra ID)', () => {
    expect(parsePatchPath('emails[type eq "work"].value')).toEqual({
      name: 'emails',
      subAttr: 'value',
      filter: { type: 'compare', path: { name: 'type' }, op: 'eq', value: 'work' },
    });
  });

  test('members[value eq "…"] as Entra ID and Okta send it (JSON-decoded)', () => {
    const path = JSON.parse('"members[value eq \\"7f4bc1a3-285e-48ae-8202-5accb43efb0e\\"]"') as string;
    expect(parsePatchPath(path)).toEqual({
      name: 'members',
      filter: { type: 'compare', path: { name: 'value' }, op: 'eq', value: '7f4bc1a3-285e-48ae-8202-5accb43efb0e' },
    });
  });

  test('case-insensitive operators inside the filter', () => {
    expect(parsePatchPath('Members[VALUE EQ "a" Or value Eq "b"]').filter?.type).toBe('or');
  });

  test.each([
    '',
    ' ',
    'emails[type eq "work"',
    'emails[type eq]',
    'emails[type eq "work"]]',
    'emails[type eq "work"].',
    'emails[type eq "work"].value.x',
    'emails[type eq "work"]value',
    'name.givenName[type eq "x"]',
    'a.b.c',
    'userName eq "x"',
    'userName userName',
    '$',
    '"userName"',
    'emails[emails[type eq "a"]]',
  ])('%j is invalidPath', (text) => {
    const err = errorOf(() => parsePatchPath(text));
    expect(err.status).toBe(400);
    expect(err.scimType).toBe('invalidPath');
  });

  test('a long path is refused', () => {
    expect(errorOf(() => parsePatchPath(`a${'b'.repeat(MAX_FILTER_LENGTH)}`)).scimType).toBe('invalidPath');
  });
});

describe('parseAttrPath', () => {
  test('splits the schema URI at the last colon', () => {
    expect(parseAttrPath(`${ENTERPRISE}:department`)).toEqual({ uri: ENTERPRISE, name: 'department' });
  });

  test.each(['', 'a..b', 'a.b.c', '1a', 'x:y', 'a b', 'urn:x:', '.a'])('%j is not an attribute path', (text) => {
    expect(parseAttrPath(text)).toBeUndefined();
  });
});
