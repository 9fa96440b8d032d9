/**
 * Filters (RFC 7644 §3.4.2.2) and paging (§3.4.2.4) over 25 users and a few groups. Every expected
 * result is computed from the fixture's own model, so each filter is checked against exactly the
 * set of users it must match, and totalResults against the full count.
 */
import { startServer, type RunningServer } from '../helpers/server.ts';
import {
  ENTERPRISE_URN, GROUP_URN, USER_URN, createUser, expectList, expectScim, idsOf, type Json, type ScimClient, setupTenant,
} from './client.ts';

interface Person {
  n: number;
  userName: string;
  familyName: string;
  title: string | undefined;
  active: boolean;
  externalId: string;
  home: string | undefined;
  department: string;
  id: string;
}

const N = 25;
const people: Person[] = [];
let s: RunningServer;
let scim: ScimClient;
const groupIds: Record<string, string> = {};

function two(n: number): string {
  return String(n).padStart(2, '0');
}

function person(n: number): Person {
  return {
    n,
    userName: `u${two(n)}@acme.test`,
    familyName: n % 2 ? 'Smith' : 'Jones',
    title: n % 3 === 0 ? 'Engineer' : undefined,
    active: n % 5 !== 0,
    externalId: `ext-${two(n)}`,
    home: n <= 10 ? `u${two(n)}@home.example` : undefined,
    department: n <= 12 ? 'Sales' : 'Support',
    id: '',
  };
}

function byN(n: number): Person {
  const p = people[n - 1];
  if (!p) throw new Error(`no person ${n}`);
  return p;
}

function idsWhere(predicate: (p: Person) => boolean): string[] {
  return people.filter(predicate).map((p) => p.id).sort();
}

beforeAll(async () => {
  s = await startServer();
  scim = await setupTenant(s, 'acme', 'acme.test');
  for (let n = 1; n <= N; n++) {
    const p = person(n);
    const emails: Json[] = [{ value: p.userName, type: 'work', primary: true }];
    if (p.home) emails.push({ value: p.home, type: 'home' });
    const created = await createUser(scim, {
      schemas: [USER_URN, ENTERPRISE_URN],
      userName: p.userName,
      externalId: p.externalId,
      displayName: `User ${two(n)}`,
      name: { givenName: `Given${two(n)}`, familyName: p.familyName },
      ...(p.title ? { title: p.title } : {}),
      active: p.active,
      emails,
      [ENTERPRISE_URN]: { department: p.department, employeeNumber: String(1000 + n) },
    });
    p.id = created.id;
    people.push(p);
  }
  for (const [name, members] of [['Team Red', [1, 2]], ['Team Blue', [2, 3]], ['Staff', []]] as const) {
    const group = expectScim(await scim.post('/Groups', { schemas: [GROUP_URN], displayName: name, members: members.map((n) => ({ value: byN(n).id })) }), 201);
    groupIds[name] = group.id;
  }
}, 120_000);

afterAll(async () => {
  await s?.stop();
});

async function matched(filter: string, resource = 'Users'): Promise<{ total: number; ids: string[] }> {
  const { total, resources } = expectList(await scim.list(resource, { filter, count: 1000 }));
  return { total, ids: idsOf(resources) };
}

const FILTERS: Array<[string, (p: Person) => boolean]> = [
  ['userName eq "u07@acme.test"', (p) => p.n === 7],
  ['userName eq "U07@ACME.TEST"', (p) => p.n === 7],
  ['userName ne "u07@acme.test"', (p) => p.n !== 7],
  ['userName co "2"', (p) => p.userName.includes('2')],
  ['userName sw "u1"', (p) => p.userName.startsWith('u1')],
  ['userName ew "5@acme.test"', (p) => p.userName.endsWith('5@acme.test')],
  ['userName gt "u20@acme.test"', (p) => p.n > 20],
  ['userName ge "u20@acme.test"', (p) => p.n >= 20],
  ['userName lt "u03@acme.test"', (p) => p.n < 3],
  ['userName le "u03@acme.test"', (p) => p.n <= 3],
  ['title pr', (p) => p.title !== undefined],
  ['title eq "engineer"', (p) => p.title !== undefined],
  ['not (title pr)', (p) => p.title === undefined],
  ['active eq false', (p) => !p.active],
  ['active eq true', (p) => p.active],
  ['active ne true', (p) => !p.active],
  ['externalId eq "ext-07"', (p) => p.n === 7],
  // externalId is case-exact (RFC 7643 §3.1).
  ['externalId eq "EXT-07"', () => false],
  ['displayName co "User 1"', (p) => p.n >= 10 && p.n <= 19],
  ['name.familyName eq "Smith"', (p) => p.familyName === 'Smith'],
  ['emails[type eq "work"].value eq "u03@acme.test"', (p) => p.n === 3],
  ['emails[type eq "home"]', (p) => p.home !== undefined],
  ['emails[type eq "home" and value ew "@home.example"]', (p) => p.home !== undefined],
  ['emails[type eq "work" and value ew "@home.example"]', () => false],
  ['emails.value eq "u04@home.example"', (p) => p.n === 4],
  ['emails.type eq "home"', (p) => p.home !== undefined],
  ['name.familyName eq "Smith" and active eq false', (p) => p.familyName === 'Smith' && !p.active],
  ['name.familyName eq "Jones" or title pr', (p) => p.familyName === 'Jones' || p.title !== undefined],
  // "and" binds tighter than "or".
  ['userName eq "u01@acme.test" or userName eq "u02@acme.test" and active eq false', (p) => p.n === 1],
  ['userName eq "u05@acme.test" or userName eq "u10@acme.test" and active eq false', (p) => p.n === 5 || p.n === 10],
  ['(userName eq "u01@acme.test" or userName eq "u05@acme.test") and active eq false', (p) => p.n === 5],
  ['not (userName sw "u1") and not (active eq false)', (p) => !p.userName.startsWith('u1') && p.active],
  ['(userName sw "u0" or userName sw "u2") and not (active eq false)', (p) => (p.n < 10 || p.n >= 20) && p.active],
  ['not ((userName sw "u0") or (userName sw "u2"))', (p) => p.n >= 10 && p.n < 20],
  [`${ENTERPRISE_URN}:department eq "Sales"`, (p) => p.department === 'Sales'],
  [`${ENTERPRISE_URN}:employeeNumber eq "1011"`, (p) => p.n === 11],
  [`${USER_URN}:userName eq "u09@acme.test"`, (p) => p.n === 9],
  [`${USER_URN}:name.familyName eq "Jones" and ${ENTERPRISE_URN}:department eq "Support"`, (p) => p.familyName === 'Jones' && p.department === 'Support'],
  ['meta.lastModified gt "2000-01-01T00:00:00Z"', () => true],
  ['meta.created lt "2000-01-01T00:00:00Z"', () => false],
  ['meta.resourceType eq "User"', () => true],
  ['userName eq "nobody@acme.test"', () => false],
  // Filters that name an indexed attribute but must not be narrowed to it.
  ['not (userName eq "u07@acme.test")', (p) => p.n !== 7],
  ['not (externalId eq "ext-07")', (p) => p.n !== 7],
  ['externalId eq "ext-07" or userName eq "u08@acme.test"', (p) => p.n === 7 || p.n === 8],
  ['userName eq "u07@acme.test" or not (active eq true)', (p) => p.n === 7 || !p.active],
  ['userName eq "u07@acme.test" and userName eq "u08@acme.test"', () => false],
  ['emails[type eq "home"].value eq "u04@acme.test"', () => false],
  ['emails[type eq "work" and value eq "u04@acme.test"]', (p) => p.n === 4],
  ['emails.value eq "U04@ACME.TEST"', (p) => p.n === 4],
  ['emails[value eq "u04@acme.test"] or emails[value eq "u05@home.example"]', (p) => p.n === 4 || p.n === 5],
];

describe('filters on /Users', () => {
  test.each(FILTERS)('%s', async (filter, predicate) => {
    const expected = idsWhere(predicate);
    expect(await matched(filter)).toEqual({ total: expected.length, ids: expected });
  });

  test('id eq', async () => {
    expect(await matched(`id eq "${byN(11).id}"`)).toEqual({ total: 1, ids: [byN(11).id] });
  });

  test('a filter matching nothing is a ListResponse with totalResults 0 (Resources empty or absent)', async () => {
    const { total, resources, body } = expectList(await scim.list('Users', { filter: 'userName eq "nobody@acme.test"' }));
    expect(total).toBe(0);
    expect(resources).toEqual([]);
    expect(body.Resources === undefined || (Array.isArray(body.Resources) && body.Resources.length === 0)).toBe(true);
  });

  test('a filter matching one user is still a ListResponse', async () => {
    const { total, resources } = expectList(await scim.list('Users', { filter: 'externalId eq "ext-13"' }));
    expect(total).toBe(1);
    expect(resources).toHaveLength(1);
    expect(resources[0]).toMatchObject({ id: byN(13).id, userName: 'u13@acme.test', externalId: 'ext-13' });
  });
});

const CASE_INSENSITIVE: Array<[string, (p: Person) => boolean]> = [
  ['USERNAME EQ "u07@acme.test"', (p) => p.n === 7],
  ['UserName Eq "u07@acme.test"', (p) => p.n === 7],
  ['username NE "u07@acme.test"', (p) => p.n !== 7],
  ['userName CO "2"', (p) => p.userName.includes('2')],
  ['userName SW "u1" AND Active EQ false', (p) => p.userName.startsWith('u1') && !p.active],
  ['userName Ew "5@acme.test" Or TITLE pr', (p) => p.userName.endsWith('5@acme.test') || p.title !== undefined],
  ['NOT (userName sw "u1")', (p) => !p.userName.startsWith('u1')],
  ['Not (Title PR)', (p) => p.title === undefined],
  ['userName GT "u20@acme.test"', (p) => p.n > 20],
  ['userName GE "u20@acme.test"', (p) => p.n >= 20],
  ['userName LT "u03@acme.test"', (p) => p.n < 3],
  ['userName LE "u03@acme.test"', (p) => p.n <= 3],
  ['ExternalID eq "ext-08"', (p) => p.n === 8],
  ['Emails[Type EQ "work"].Value eq "u03@acme.test"', (p) => p.n === 3],
  ['EMAILS.VALUE eq "u04@home.example"', (p) => p.n === 4],
  ['Name.FamilyName eq "Smith" and ACTIVE eq false', (p) => p.familyName === 'Smith' && !p.active],
  [`${ENTERPRISE_URN}:Department eq "Sales"`, (p) => p.department === 'Sales'],
  ['Meta.LastModified GT "2000-01-01T00:00:00Z"', () => true],
];

describe('operators and attribute names are case-insensitive', () => {
  test.each(CASE_INSENSITIVE)('%s', async (filter, predicate) => {
    const expected = idsWhere(predicate);
    expect(await matched(filter)).toEqual({ total: expected.length, ids: expected });
  });
});

describe('paging', () => {
  test('without paging parameters every user is listed and totalResults is the full count', async () => {
    const { total, resources, body } = expectList(await scim.list('Users'));
    expect(total).toBe(N);
    expect(idsOf(resources)).toEqual(idsWhere(() => true));
    expect(body.startIndex).toBe(1);
  });

  test('startIndex=1&count=10: ten users, totalResults 25, itemsPerPage 10', async () => {
    const { total, resources, body } = expectList(await scim.list('Users', { startIndex: 1, count: 10 }));
    expect(total).toBe(N);
    expect(resources).toHaveLength(10);
    expect(body.startIndex).toBe(1);
    expect(body.itemsPerPage).toBe(10);
  });

  test('pages of 10 walk every user exactly once (10, 10, 5)', async () => {
    const seen: string[] = [];
    const sizes: number[] = [];
    for (const startIndex of [1, 11, 21]) {
      const { total, resources, body } = expectList(await scim.list('Users', { startIndex, count: 10 }));
      expect(total).toBe(N);
      expect(body.startIndex).toBe(startIndex);
      sizes.push(resources.length);
      seen.push(...resources.map((r: Json) => String(r.id)));
    }
    expect(sizes).toEqual([10, 10, 5]);
    expect(new Set(seen).size).toBe(N);
    expect([...seen].sort()).toEqual(idsWhere(() => true));
  });

  test('pages of 7 walk every user exactly once (7, 7, 7, 4)', async () => {
    const seen: string[] = [];
    for (const startIndex of [1, 8, 15, 22]) {
      const { total, resources } = expectList(await scim.list('Users', { startIndex, count: 7 }));
      expect(total).toBe(N);
      expect(resources).toHaveLength(startIndex === 22 ? 4 : 7);
      seen.push(...resources.map((r: Json) => String(r.id)));
    }
    expect([...seen].sort()).toEqual(idsWhere(() => true));
  });

  test('a startIndex past the end: no resources, totalResults still 25', async () => {
    const { total, resources } = expectList(await scim.list('Users', { startIndex: 26, count: 10 }));
    expect(total).toBe(N);
    expect(resources).toEqual([]);
  });

  test('count=0: no resources, totalResults 25', async () => {
    const { total, resources } = expectList(await scim.list('Users', { count: 0 }));
    expect(total).toBe(N);
    expect(resources).toEqual([]);
  });

  test('startIndex below 1 is taken as 1 (RFC 7644 §3.4.2.4)', async () => {
    const { total, resources, body } = expectList(await scim.list('Users', { startIndex: 0, count: 5 }));
    expect(total).toBe(N);
    expect(resources).toHaveLength(5);
    expect(body.startIndex).toBe(1);
  });

  test('a negative count is taken as 0 (RFC 7644 §3.4.2.4)', async () => {
    const { total, resources } = expectList(await scim.list('Users', { count: -1 }));
    expect(total).toBe(N);
    expect(resources).toEqual([]);
  });

  test('paging a filtered list: totalResults is the filtered count on every page', async () => {
    const filter = 'userName sw "u1"';
    const seen: string[] = [];
    const sizes: number[] = [];
    for (const startIndex of [1, 5, 9]) {
      const { total, resources } = expectList(await scim.list('Users', { filter, startIndex, count: 4 }));
      expect(total).toBe(10);
      sizes.push(resources.length);
      seen.push(...resources.map((r: Json) => String(r.id)));
    }
    expect(sizes).toEqual([4, 4, 2]);
    expect([...seen].sort()).toEqual(idsWhere((p) => p.userName.startsWith('u1')));
  });

  test('paging an "or" filter of inactive users, two at a time', async () => {
    const filter = 'active eq false or userName eq "u01@acme.test"';
    const expected = idsWhere((p) => !p.active || p.n === 1);
    const seen: string[] = [];
    for (let startIndex = 1; startIndex <= expected.length; startIndex += 2) {
      const { total, resources } = expectList(await scim.list('Users', { filter, startIndex, count: 2 }));
      expect(total).toBe(expected.length);
      seen.push(...resources.map((r: Json) => String(r.id)));
    }
    expect([...seen].sort()).toEqual(expected);
  });
});

describe('attribute names are case-insensitive in bodies and PATCH paths too', () => {
  test('POST with odd-cased names, PATCH with an odd-cased path, then DELETE', async () => {
    const created = expectScim(await scim.post('/Users', {
      schemas: [USER_URN], USERNAME: 'ci@acme.test', Name: { GivenName: 'Casey', FAMILYNAME: 'Insensitive' }, ACTIVE: false,
    }), 201);
    let user = expectScim(await scim.get(`/Users/${created.id}`), 200);
    expect(user.userName).toBe('ci@acme.test');
    expect(user.name).toMatchObject({ givenName: 'Casey', familyName: 'Insensitive' });
    expect(user.active).toBe(false);
    expect(await matched('userName eq "ci@acme.test"')).toEqual({ total: 1, ids: [created.id] });

    expectScim(await scim.patch(`/Users/${created.id}`, [{ op: 'replace', path: 'NAME.GIVENNAME', value: 'Case' }]), 200);
    user = expectScim(await scim.get(`/Users/${created.id}`), 200);
    expect(user.name).toMatchObject({ givenName: 'Case', familyName: 'Insensitive' });

    expect((await scim.delete(`/Users/${created.id}`)).status).toBe(204);
    expect(await matched('userName eq "ci@acme.test"')).toEqual({ total: 0, ids: [] });
  });
});

describe('projection', () => {
  test('attributes=userName returns id and userName, not the rest', async () => {
    const { resources } = expectList(await scim.list('Users', { filter: 'userName eq "u02@acme.test"', attributes: 'userName' }));
    expect(resources).toHaveLength(1);
    expect(resources[0]).toMatchObject({ id: byN(2).id, userName: 'u02@acme.test' });
    expect(resources[0]).not.toHaveProperty('emails');
    expect(resources[0]).not.toHaveProperty('name');
  });

  test('excludedAttributes=emails drops emails only', async () => {
    const user = expectScim(await scim.get(`/Users/${byN(2).id}?excludedAttributes=emails`), 200);
    expect(user).toMatchObject({ id: byN(2).id, userName: 'u02@acme.test', name: { familyName: 'Jones' } });
    expect(user).not.toHaveProperty('emails');
  });
});

describe('filters and paging on /Groups', () => {
  test('a quoted string with escaped quotes and a backslash', async () => {
    const name = 'Team "Q" \\ back';
    const group = expectScim(await scim.post('/Groups', { schemas: [GROUP_URN], displayName: name }), 201);
    try {
      expect(await matched(`displayName eq ${JSON.stringify(name)}`, 'Groups')).toEqual({ total: 1, ids: [group.id] });
      expect(await matched('displayName co "\\"Q\\""', 'Groups')).toEqual({ total: 1, ids: [group.id] });
    } finally {
      expect((await scim.delete(`/Groups/${group.id}`)).status).toBe(204);
    }
  });

  test.each([
    ['displayName eq "Team Red"', ['Team Red']],
    ['displayName sw "Team"', ['Team Red', 'Team Blue']],
    ['DisplayName SW "team"', ['Team Red', 'Team Blue']],
    ['displayName ne "Staff"', ['Team Red', 'Team Blue']],
    ['not (displayName co "Team")', ['Staff']],
  ] as Array<[string, string[]]>)('%s', async (filter, names) => {
    const expected = names.map((n) => groupIds[n]!).sort();
    expect(await matched(filter, 'Groups')).toEqual({ total: expected.length, ids: expected });
  });

  test('members[value eq "<user>"] and members.value eq "<user>"', async () => {
    expect(await matched(`members[value eq "${byN(2).id}"]`, 'Groups')).toEqual({ total: 2, ids: [groupIds['Team Red']!, groupIds['Team Blue']!].sort() });
    expect(await matched(`members.value eq "${byN(3).id}"`, 'Groups')).toEqual({ total: 1, ids: [groupIds['Team Blue']!] });
  });

  test('id eq "<group>" and members[value eq "<user>"] (a membership check)', async () => {
    expect(await matched(`id eq "${groupIds['Team Red']}" and members[value eq "${byN(1).id}"]`, 'Groups')).toEqual({ total: 1, ids: [groupIds['Team Red']] });
    expect(await matched(`id eq "${groupIds['Team Red']}" and members[value eq "${byN(3).id}"]`, 'Groups')).toEqual({ total: 0, ids: [] });
  });

  test('paging groups: count=1 walks all three, totalResults 3', async () => {
    const seen: string[] = [];
    for (const startIndex of [1, 2, 3]) {
      const { total, resources } = expectList(await scim.list('Groups', { startIndex, count: 1 }));
      expect(total).toBe(3);
      expect(resources).toHaveLength(1);
      seen.push(String(resources[0].id));
    }
    expect(seen.sort()).toEqual(Object.values(groupIds).sort());
  });

  test('excludedAttributes=members with a filter', async () => {
    const { total, resources } = expectList(await scim.list('Groups', { filter: 'displayName eq "Team Blue"', excludedAttributes: 'members' }));
    expect(total).toBe(1);
    expect(resources[0]).toMatchObject({ id: groupIds['Team Blue'], displayName: 'Team Blue' });
    expect(resources[0]).not.toHaveProperty('members');
  });
});
