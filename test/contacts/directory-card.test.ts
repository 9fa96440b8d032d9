import { describe, expect, it } from '@jest/globals';
import { directoryCard } from '../../src/contacts/directory-card.ts';
import { parseCard } from '../../src/contacts/vcard.ts';
import type { UserRecord } from '../../src/store/ports/directory.ts';

const user: UserRecord = {
  id: '0b9d6e5e-1f0b-4b8f-9c1a-6f3e5d2c1a00', tenantId: 't', userName: 'ann@example.org', externalId: null,
  displayName: 'Ann Émile; Sales, EU', active: true, ssoOnly: false, passwordHash: null, quotaBytes: null,
  addresses: ['ann@example.org', 'a.emile@example.org'], aliases: [], version: 3,
  createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-02-03T04:05:06.000Z', deletedAt: null,
  scim: {
    name: { givenName: 'Ann', familyName: 'Émile' }, title: 'Account manager',
    phoneNumbers: [{ value: '+31 20 123 4567', type: 'work' }, { value: '+31 6 1234 5678', type: 'mobile' }],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Sales', organization: 'Example BV' },
  },
};

describe('directory cards', () => {
  it('renders a valid vCard 4.0 with names, every address, phones, title and department', () => {
    const text = directoryCard(user, '-//Stoa//EN');
    const card = parseCard(text);
    const value = (name: string) => card.properties.filter((p) => p.name === name).map((p) => p.value);
    expect(card.version).toBe('4.0');
    expect(card.uid).toBe('urn:uuid:0b9d6e5e-1f0b-4b8f-9c1a-6f3e5d2c1a00');
    expect(value('FN')).toEqual(['Ann Émile; Sales, EU']);
    expect(value('N')).toEqual(['Émile;Ann;;;']);
    expect(value('EMAIL')).toEqual(['ann@example.org', 'a.emile@example.org']);
    expect(value('TEL')).toEqual(['+31 20 123 4567', '+31 6 1234 5678']);
    expect(card.properties.find((p) => p.value === '+31 6 1234 5678')?.params.type).toBe('cell');
    expect(value('TITLE')).toEqual(['Account manager']);
    expect(value('ORG')).toEqual(['Example BV;Sales']);
    expect(text).toMatch(/^FN:Ann Émile\\?; Sales\\, EU\r$/m);
    expect(text).toMatch(/^REV[^:]*:20260203T040506Z\r$/m);
    expect(text.endsWith('END:VCARD\r\n')).toBe(true);
  });

  it('falls back to the login address when the directory has no name', () => {
    const card = parseCard(directoryCard({ ...user, displayName: null, scim: {} }, '-//Stoa//EN'));
    expect(card.properties.find((p) => p.name === 'FN')?.value).toBe('ann@example.org');
    expect(card.properties.some((p) => p.name === 'N' || p.name === 'ORG' || p.name === 'TEL')).toBe(false);
  });
});
