/**
 * A vCard 3.0 or 4.0 address object checked before it is stored (RFC 6352 §5.1) and read for
 * addressbook-query filters. The stored bytes stay the client's bytes: this never rewrites a card.
 */
import ICAL from 'ical.js';

export type AddressPrecondition = 'valid-address-data' | 'supported-address-data';

export class AddressDataError extends Error {
  readonly precondition: AddressPrecondition;
  constructor(precondition: AddressPrecondition, message: string) {
    super(message);
    this.name = 'AddressDataError';
    this.precondition = precondition;
  }
}

export interface CardProperty {
  /** Upper-case name without its group: `X-ABLABEL` for `item1.X-ABLabel`. */
  readonly name: string;
  readonly group: string | null;
  /** Parameters by lower-case name, values as sent. */
  readonly params: Readonly<Record<string, string | string[]>>;
  /** The value as text: list and structured values joined the way they are written (`,` and `;`). */
  readonly value: string;
}

export interface Card {
  readonly version: '3.0' | '4.0';
  readonly uid: string | null;
  readonly properties: readonly CardProperty[];
}

export function parseCard(text: string): Card {
  let parsed: unknown;
  try {
    parsed = ICAL.parse(text);
  } catch (err) {
    throw new AddressDataError('valid-address-data', `not a vCard: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed) || typeof parsed[0] !== 'string') throw new AddressDataError('valid-address-data', 'expected exactly one VCARD');
  const card = new ICAL.Component(parsed as unknown[]);
  if (card.name !== 'vcard') throw new AddressDataError('valid-address-data', `expected VCARD, found ${card.name.toUpperCase()}`);
  const version = card.getFirstPropertyValue('version');
  if (version !== '3.0' && version !== '4.0') {
    throw new AddressDataError('supported-address-data', `vCard version ${String(version ?? 'missing')}: only 3.0 and 4.0 are stored`);
  }
  if (!card.hasProperty('fn')) throw new AddressDataError('valid-address-data', 'a vCard needs FN');
  if (card.getAllSubcomponents().length > 0) throw new AddressDataError('valid-address-data', 'a vCard holds no nested components');
  const uid = card.getFirstPropertyValue('uid');
  return {
    version,
    uid: typeof uid === 'string' && uid !== '' ? uid : null,
    properties: card.getAllProperties().map(describe),
  };
}

function describe(property: ICAL.Property): CardProperty {
  const [rawName, params] = property.toJSON() as [string, Record<string, string | string[]>, ...unknown[]];
  const { group, ...rest } = params;
  return {
    name: rawName.toUpperCase(),
    group: typeof group === 'string' ? group : null,
    params: rest,
    value: property.getValues().map(text).join(','),
  };
}

function text(value: unknown): string {
  if (Array.isArray(value)) return value.map(text).join(';');
  return String(value);
}
