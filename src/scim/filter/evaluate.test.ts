import { ScimError } from '../errors.ts';
import { ENTERPRISE_USER_SCHEMA_URN, GROUP_SCHEMA_URN, GROUP_SCHEMAS, USER_SCHEMA_URN, USER_SCHEMAS } from '../schema.ts';
import type { ResourceSchemas } from '../schema.ts';
import { compileFilter, indexHint, matches, validateFilter } from './evaluate.ts';
import { parseFilter } from './parse.ts';
import { errorOf } from '../../../test/helpers/scim-error.ts';

/** RFC 7643 §8.2's Barbara Jensen, with the enterprise extension. */
const barbara = {
  schemas: [USER_SCHEMA_URN, ENTERPRISE_USER_SCHEMA_URN],
  id: '2819c223-7f76-453a-919d-413861904646',
  externalId: 'bjensen',
  userName: 'bjensen@example.com',
  name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
  displayName: 'Babs Jensen',
  title: 'Tour Guide',
  userType: 'Employee',
  active: true,
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  ims: [{ value: 'someaimhandle', type: 'aim' }],
  [ENTERPRISE_USER_SCHEMA_URN]: {
    employeeNumber: '701984',
    department: 'Tour Operations',
    manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d', displayName: 'John Smith' },
  },
  meta: {
    resourceType: 'User',
    created: '2010-01-23T04:56:22Z',
    lastModified: '2011-05-13T04:42:34Z',
    version: 'W/"3694e05e9dff591"',
  },
};

/** A user with next to nothing set. */
const sparse = {
  schemas: [USER_SCHEMA_URN],
  id: 'c0ffee',
  userName: 'intern@example.com',
  userType: 'Intern',
  title: '',
  emails: [],
  active: 'False',
};

const group = {
  schemas: [GROUP_SCHEMA_URN],
  id: 'e9e30dba-f08f-4109-8486-d5c6a331660a',
  displayName: 'Tour Guides',
  members: [
    { value: '2819c223-7f76-453a-919d-413861904646', display: 'Babs Jensen', type: 'User' },
    { value: '902c246b-6245-4190-8e05-00816be7344a', display: 'Mandy Pepperidge', type: 'User' },
  ],
};

function userMatches(filter: string, resource: unknown = barbara): boolean {
  return matches(parseFilter(filter), resource, USER_SCHEMAS);
}

describe('matches: strings and caseExact', () => {
  test('userName is not case-exact: the value matches in any case', () => {
    expect(userMatches('userName eq "bjensen@example.com"')).toBe(true);
    expect(userMatches('userName eq "BJensen@Example.COM"')).toBe(true);
    expect(userMatches('userName eq "someone@example.com"')).toBe(false);
  });

  test('externalId and id are case-exact', () => {
    expect(userMatches('externalId eq "bjensen"')).toBe(true);
    expect(userMatches('externalId eq "BJENSEN"')).toBe(false);
    expect(userMatches('id eq "2819C223-7F76-453A-919D-413861904646"')).toBe(false);
  });

  test('attribute names are case-insensitive', () => {
    expect(userMatches('USERNAME eq "bjensen@example.com"')).toBe(true);
    expect(userMatches('Name.FamilyName eq "jensen"')).toBe(true);
    expect(userMatches('EMAILS.VALUE eq "babs@jensen.org"')).toBe(true);
  });

  test('co, sw, ew', () => {
    expect(userMatches('name.familyName co "ENS"')).toBe(true);
    expect(userMatches('userName sw "BJ"')).toBe(true);
    expect(userMatches('userName ew "@EXAMPLE.com"')).toBe(true);
    expect(userMatches('userName sw "example"')).toBe(false);
    expect(userMatches('userName ew "bjensen"')).toBe(false);
    expect(userMatches('title co "xyz"')).toBe(false);
  });

  test('gt, ge, lt, le compare strings lexicographically', () => {
    expect(userMatches('userName gt "a"')).toBe(true);
    expect(userMatches('userName lt "a"')).toBe(false);
    expect(userMatches('userName ge "bjensen@example.com"')).toBe(true);
    expect(userMatches('userName le "BJENSEN@EXAMPLE.COM"')).toBe(true);
    expect(userMatches('userName lt "bjensen@example.com"')).toBe(false);
  });

  test('a missing attribute matches no comparison', () => {
    expect(userMatches('nickName eq "Babs"')).toBe(false);
    expect(userMatches('nickName co ""')).toBe(false);
  });
});

describe('matches: multi-valued attributes', () => {
  test('any value may match', () => {
    expect(userMatches('emails.value eq "babs@jensen.org"')).toBe(true);
    expect(userMatches('emails.type eq "home"')).toBe(true);
    expect(userMatches('emails.value eq "nobody@example.com"')).toBe(false);
  });

  test('a complex multi-valued attribute compared whole means its value', () => {
    expect(userMatches('emails co "jensen.org"')).toBe(true);
    expect(userMatches('emails eq "bjensen@example.com"')).toBe(true);
    expect(userMatches('emails eq "work"')).toBe(false);
  });

  test('value filters test one value at a time', () => {
    expect(userMatches('emails[type eq "work"].value eq "bjensen@example.com"')).toBe(true);
    expect(userMatches('emails[type eq "home"].value eq "bjensen@example.com"')).toBe(false);
    expect(userMatches('emails[type eq "work" and value ew "jensen.org"]')).toBe(false);
    expect(userMatches('emails[type eq "home" and value ew "jensen.org"]')).toBe(true);
  });

  test('sub-attribute comparisons inside brackets honour caseExact', () => {
    expect(userMatches('emails[type eq "WORK"]')).toBe(true);
    expect(userMatches('emails[primary eq true].value eq "bjensen@example.com"')).toBe(true);
    expect(userMatches('emails[primary eq true].value eq "babs@jensen.org"')).toBe(false);
  });

  test('ne is the negation of eq over all values', () => {
    expect(userMatches('emails.value ne "babs@jensen.org"')).toBe(false);
    expect(userMatches('emails.value ne "nobody@example.com"')).toBe(true);
    expect(userMatches('userName ne "other"')).toBe(true);
    expect(userMatches('nickName ne "Babs"')).toBe(true);
  });

  test('schemas eq names an extension', () => {
    expect(userMatches(`schemas eq "${ENTERPRISE_USER_SCHEMA_URN}"`)).toBe(true);
    expect(userMatches(`schemas eq "${ENTERPRISE_USER_SCHEMA_URN}"`, sparse)).toBe(false);
  });

  test('group members', () => {
    const has = (filter: string) => matches(parseFilter(filter), group, GROUP_SCHEMAS);
    expect(has('members.value eq "902c246b-6245-4190-8e05-00816be7344a"')).toBe(true);
    expect(has('members eq "902c246b-6245-4190-8e05-00816be7344a"')).toBe(true);
    expect(has('members[value eq "2819c223-7f76-453a-919d-413861904646"]')).toBe(true);
    expect(has('members[value eq "missing"]')).toBe(false);
    expect(has('displayName eq "tour guides"')).toBe(true);
  });
});

describe('matches: presence and null', () => {
  test('pr', () => {
    expect(userMatches('title pr')).toBe(true);
    expect(userMatches('nickName pr')).toBe(false);
    expect(userMatches('name pr')).toBe(true);
    expect(userMatches('emails pr')).toBe(true);
    expect(userMatches(`${ENTERPRISE_USER_SCHEMA_URN}:manager pr`)).toBe(true);
  });

  test('empty strings and empty arrays are not present', () => {
    expect(userMatches('title pr', sparse)).toBe(false);
    expect(userMatches('emails pr', sparse)).toBe(false);
    expect(userMatches('name pr', { ...sparse, name: { givenName: '' } })).toBe(false);
  });

  test('eq null means unassigned, ne null assigned', () => {
    expect(userMatches('nickName eq null')).toBe(true);
    expect(userMatches('title eq null')).toBe(false);
    expect(userMatches('title ne null')).toBe(true);
    expect(userMatches('nickName ne null')).toBe(false);
  });
});

describe('matches: enterprise extension', () => {
  test('URN-qualified attributes read the extension block', () => {
    expect(userMatches(`${ENTERPRISE_USER_SCHEMA_URN}:department eq "tour operations"`)).toBe(true);
    expect(userMatches(`${ENTERPRISE_USER_SCHEMA_URN}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`)).toBe(true);
    expect(userMatches(`${ENTERPRISE_USER_SCHEMA_URN}:employeeNumber eq "701985"`)).toBe(false);
  });

  test('the URN is matched case-insensitively, in the filter and in the resource', () => {
    expect(userMatches(`${ENTERPRISE_USER_SCHEMA_URN.toUpperCase()}:DEPARTMENT eq "Tour Operations"`)).toBe(true);
    const lowerKey = { ...sparse, [ENTERPRISE_USER_SCHEMA_URN.toLowerCase()]: { department: 'Sales' } };
    expect(userMatches(`${ENTERPRISE_USER_SCHEMA_URN}:department eq "Sales"`, lowerKey)).toBe(true);
  });

  test('without the extension block nothing matches, and nothing throws', () => {
    expect(userMatches(`${ENTERPRISE_USER_SCHEMA_URN}:department eq "Sales"`, sparse)).toBe(false);
    expect(userMatches(`${ENTERPRISE_USER_SCHEMA_URN}:department pr`, sparse)).toBe(false);
  });

  test('extension attributes need their URN', () => {
    expect(errorOf(() => userMatches('department eq "Tour Operations"')).scimType).toBe('invalidFilter');
  });

  test('core attributes may carry the core URN', () => {
    expect(userMatches(`${USER_SCHEMA_URN}:userName eq "bjensen@example.com"`)).toBe(true);
  });
});

describe('matches: dateTime, boolean and numbers', () => {
  test('dateTime compares instants', () => {
    expect(userMatches('meta.lastModified gt "2011-05-13T04:42:33Z"')).toBe(true);
    expect(userMatches('meta.lastModified gt "2011-05-13T04:42:34Z"')).toBe(false);
    expect(userMatches('meta.lastModified ge "2011-05-13T04:42:34Z"')).toBe(true);
    expect(userMatches('meta.lastModified lt "2011-05-13T04:42:34.001Z"')).toBe(true);
    expect(userMatches('meta.lastModified le "2011-05-13T04:42:33.999Z"')).toBe(false);
    // The same instant written in another offset.
    expect(userMatches('meta.lastModified eq "2011-05-13T06:42:34+02:00"')).toBe(true);
    expect(userMatches('meta.created lt "2011-01-01T00:00:00Z" and meta.lastModified gt "2011-01-01T00:00:00Z"')).toBe(true);
  });

  test('a comparison value that is not a dateTime is refused', () => {
    expect(errorOf(() => userMatches('meta.lastModified gt "yesterday"')).scimType).toBe('invalidFilter');
    expect(errorOf(() => userMatches('meta.lastModified gt 5')).scimType).toBe('invalidFilter');
  });

  test('booleans', () => {
    expect(userMatches('active eq true')).toBe(true);
    expect(userMatches('active eq false')).toBe(false);
    expect(userMatches('active ne false')).toBe(true);
    // Entra ID habits on both sides: a string comparison value, a stored "False".
    expect(userMatches('active eq "True"')).toBe(true);
    expect(userMatches('active eq false', sparse)).toBe(true);
  });

  test.each(['active gt true', 'active ge false', 'active lt true', 'active le true', 'active co "t"', 'active sw "t"', 'active eq 1', 'active eq "maybe"'])(
    '%s is invalidFilter',
    (filter) => {
      const err = errorOf(() => userMatches(filter));
      expect(err.status).toBe(400);
      expect(err.scimType).toBe('invalidFilter');
    },
  );

  const scores: ResourceSchemas = {
    core: {
      id: 'urn:example:Thing',
      name: 'Thing',
      description: 'test schema',
      attributes: [
        { name: 'score', type: 'integer', multiValued: false, description: '', required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none' },
        { name: 'ratio', type: 'decimal', multiValued: false, description: '', required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none' },
        { name: 'blob', type: 'binary', multiValued: false, description: '', required: false, caseExact: true, mutability: 'readWrite', returned: 'default', uniqueness: 'none' },
      ],
    },
    extensions: [],
  };

  test('integers and decimals compare numerically', () => {
    const thing = { score: 10, ratio: 0.5, blob: 'AAEC' };
    const test = (filter: string) => matches(parseFilter(filter), thing, scores);
    expect(test('score gt 9')).toBe(true);
    expect(test('score gt 10')).toBe(false);
    expect(test('score ge 10')).toBe(true);
    expect(test('score lt 1e2')).toBe(true);
    expect(test('ratio le 0.5 and ratio gt 0.25')).toBe(true);
    expect(test('score eq 10.0')).toBe(true);
    expect(test('blob eq "AAEC"')).toBe(true);
    expect(errorOf(() => test('score co 1')).scimType).toBe('invalidFilter');
    expect(errorOf(() => test('score eq "10"')).scimType).toBe('invalidFilter');
    expect(errorOf(() => test('blob gt "A"')).scimType).toBe('invalidFilter');
  });
});

describe('matches: logic', () => {
  test('and, or, not', () => {
    expect(userMatches('title pr and userType eq "Employee"')).toBe(true);
    expect(userMatches('title pr and userType eq "Intern"')).toBe(false);
    expect(userMatches('nickName pr or userType eq "Employee"')).toBe(true);
    expect(userMatches('not (userType eq "Employee")')).toBe(false);
    expect(userMatches('not (nickName pr)')).toBe(true);
  });

  test('and binds tighter than or', () => {
    // title pr or (userType eq "Intern" and nickName pr): true. Read left to right it would be false.
    expect(userMatches('title pr or userType eq "Intern" and nickName pr')).toBe(true);
    expect(userMatches('(title pr or userType eq "Intern") and nickName pr')).toBe(false);
  });

  test('the RFC 7644 §3.4.2.2 examples against Barbara', () => {
    expect(userMatches('userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")')).toBe(true);
    expect(userMatches('userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")')).toBe(false);
    expect(userMatches('userType eq "Employee" and (emails.type eq "work")')).toBe(true);
    expect(userMatches('userType eq "Employee" and emails[type eq "work" and value co "@example.com"]')).toBe(true);
    expect(userMatches('emails[type eq "work" and value co "@example.org"] or ims[type eq "aim" and value co "aim"]')).toBe(true);
    expect(userMatches('title pr or userType eq "Intern"', sparse)).toBe(true);
  });
});

describe('compileFilter and validateFilter', () => {
  test.each([
    'nope eq "x"',
    'name.nope eq "x"',
    'emails[nope eq "x"]',
    'name eq "x"',
    'userName[value eq "x"]',
    'userName eq 5',
    'userName eq true',
    'userName gt null',
    'urn:example:unknown:2.0:User:x eq "y"',
    'members eq "x"',
  ])('%s is invalidFilter for users', (filter) => {
    const err = errorOf(() => validateFilter(parseFilter(filter), USER_SCHEMAS));
    expect(err.status).toBe(400);
    expect(err.scimType).toBe('invalidFilter');
  });

  test('errors do not depend on the resources tested', () => {
    expect(() => compileFilter(parseFilter('nope eq "x"'), USER_SCHEMAS)).toThrow(ScimError);
  });

  test('the compiled predicate is reusable and false for non-objects', () => {
    const isEmployee = compileFilter(parseFilter('userType eq "Employee"'), USER_SCHEMAS);
    expect([barbara, sparse].map(isEmployee)).toEqual([true, false]);
    expect(isEmployee(null)).toBe(false);
    expect(isEmployee(['userType'])).toBe(false);
  });
});

describe('indexHint', () => {
  const hint = (filter: string) => indexHint(parseFilter(filter));

  test.each([
    ['userName eq "bjensen"', { attribute: 'userName', value: 'bjensen' }],
    ['UserName EQ "BJensen"', { attribute: 'userName', value: 'BJensen' }],
    [`${USER_SCHEMA_URN}:userName eq "bjensen"`, { attribute: 'userName', value: 'bjensen' }],
    ['externalId eq "00ujl29u0le5T6Aj10h7"', { attribute: 'externalId', value: '00ujl29u0le5T6Aj10h7' }],
    ['displayName eq "Tour Guides"', { attribute: 'displayName', value: 'Tour Guides' }],
    ['emails.value eq "a@example.com"', { attribute: 'email', value: 'a@example.com' }],
    ['emails eq "a@example.com"', { attribute: 'email', value: 'a@example.com' }],
    ['emails[type eq "work"].value eq "a@example.com"', { attribute: 'email', value: 'a@example.com' }],
    ['emails[value eq "a@example.com"]', { attribute: 'email', value: 'a@example.com' }],
    ['userName eq "u" and active eq true', { attribute: 'userName', value: 'u' }],
    ['active eq true and externalId eq "e"', { attribute: 'externalId', value: 'e' }],
    ['externalId eq "e" and userName eq "u"', { attribute: 'userName', value: 'u' }],
    ['title pr and (emails.value eq "a@example.com" and active eq true)', { attribute: 'email', value: 'a@example.com' }],
  ])('%s', (filter, expected) => {
    expect(hint(filter)).toEqual(expected);
  });

  test.each([
    'userName ne "x"',
    'userName co "x"',
    'userName sw "x"',
    'userName eq null',
    'userName pr',
    'userName eq "x" or externalId eq "y"',
    'not (userName eq "x")',
    'emails.type eq "work"',
    'emails[type eq "work"]',
    'emails[value eq "x" or value eq "y"]',
    'name.givenName eq "x"',
    `${ENTERPRISE_USER_SCHEMA_URN}:employeeNumber eq "1"`,
    'urn:example:other:2.0:User:userName eq "x"',
    'title eq "x"',
  ])('%s has none', (filter) => {
    expect(hint(filter)).toBeNull();
  });

  test('a hinted filter still has to be run on the candidates', () => {
    const filter = parseFilter('emails[type eq "home"].value eq "bjensen@example.com"');
    expect(indexHint(filter)).toEqual({ attribute: 'email', value: 'bjensen@example.com' });
    expect(matches(filter, barbara, USER_SCHEMAS)).toBe(false);
  });
});
