import { describe, expect, it } from '@jest/globals';
import { AddressDataError, parseCard } from '../../src/contacts/vcard.ts';

const crlf = (...lines: string[]) => [...lines, ''].join('\r\n');

const IOS_CARD = crlf(
  'BEGIN:VCARD', 'VERSION:3.0', 'PRODID:-//Apple Inc.//iPhone OS 17.4//EN', 'N:Doe;John;;;', 'FN:John Doe',
  'item1.EMAIL;type=INTERNET;type=pref:john@example.com', 'item1.X-ABLabel:_$!<Other>!$_',
  'item2.ADR;type=HOME;type=pref:;;Main St 1;Town;;1234;NL', 'item2.X-ABADR:nl', 'TEL;type=CELL;type=VOICE:+31 6 1234 5678',
  'UID:6B29FC40-CA47-1067-B31D-00DD010662DA', 'END:VCARD',
);

const THUNDERBIRD_CARD = crlf(
  'BEGIN:VCARD', 'VERSION:4.0', 'FN:Ann Émile', 'N:Émile;Ann;;;', 'EMAIL;PREF=1:ann@example.org',
  'X-MOZILLA-HTML:TRUE', 'UID:urn:uuid:0b9d6e5e-1f0b-4b8f-9c1a-6f3e5d2c1a00', 'END:VCARD',
);

function refusal(text: string): string {
  try {
    parseCard(text);
  } catch (err) {
    if (err instanceof AddressDataError) return err.precondition;
    throw err;
  }
  throw new Error('accepted');
}

describe('parseCard', () => {
  it('reads an iOS vCard 3.0 with grouped labels, keeping groups and unknown properties', () => {
    const card = parseCard(IOS_CARD);
    expect(card.version).toBe('3.0');
    expect(card.uid).toBe('6B29FC40-CA47-1067-B31D-00DD010662DA');
    const email = card.properties.find((p) => p.name === 'EMAIL');
    expect(email).toMatchObject({ group: 'item1', value: 'john@example.com', params: { type: ['INTERNET', 'pref'] } });
    expect(card.properties.find((p) => p.name === 'X-ABLABEL')).toMatchObject({ group: 'item1', value: '_$!<Other>!$_' });
    expect(card.properties.find((p) => p.name === 'ADR')?.value).toBe(';;Main St 1;Town;;1234;NL');
  });

  it('reads a Thunderbird vCard 4.0', () => {
    const card = parseCard(THUNDERBIRD_CARD);
    expect(card.version).toBe('4.0');
    expect(card.uid).toBe('urn:uuid:0b9d6e5e-1f0b-4b8f-9c1a-6f3e5d2c1a00');
    expect(card.properties.find((p) => p.name === 'X-MOZILLA-HTML')?.value).toBe('TRUE');
  });

  it.each([
    ['text that is not a vCard', 'hello there', 'valid-address-data'],
    ['an iCalendar object', crlf('BEGIN:VCALENDAR', 'VERSION:2.0', 'END:VCALENDAR'), 'valid-address-data'],
    ['two cards', IOS_CARD + THUNDERBIRD_CARD, 'valid-address-data'],
    ['a card without FN', crlf('BEGIN:VCARD', 'VERSION:4.0', 'UID:x', 'END:VCARD'), 'valid-address-data'],
    ['a card without VERSION', crlf('BEGIN:VCARD', 'FN:x', 'END:VCARD'), 'supported-address-data'],
    ['a vCard 2.1', crlf('BEGIN:VCARD', 'VERSION:2.1', 'FN:x', 'END:VCARD'), 'supported-address-data'],
    ['a card that never ends', crlf('BEGIN:VCARD', 'VERSION:4.0', 'FN:x'), 'valid-address-data'],
  ])('refuses %s', (_name, text, precondition) => {
    expect(refusal(text)).toBe(precondition);
  });
});
