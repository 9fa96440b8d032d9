/**
 * Outlook's "plain old XML" Autodiscover: the 2006 request schema in, the 2006a ("outlook")
 * response schema out, with one IMAP and one SMTP <Protocol>. Pure: the routes do the look-ups.
 *
 * Element names and order follow Microsoft's POX reference (Protocol: Type, Server, Port,
 * LoginName, DomainRequired, SPA, SSL, AuthRequired) and [MS-OXDSCLI] 2.2.4.1.1.2.6.22 for
 * <Encryption>, which overrides <SSL>. Outlook reads Encryption "TLS" as STARTTLS and "SSL" as
 * implicit TLS (stalwartlabs/stalwart#3248: "TLS" on 993/465 makes Outlook wait for a plaintext
 * greeting), so implicit-TLS ports carry "SSL" and STARTTLS ports "TLS".
 */
import { domainOf, normaliseAddress } from '../directory/addresses.ts';
import type { PublicEndpoints } from './endpoints.ts';
import { imapServers, type MailServer, submissionServers } from './services.ts';
import { childElements, parseXml, textOf, type XmlElement, XmlError } from '../xml/parse.ts';
import { leaf, node, renderXml, type XmlOut } from './xml-write.ts';

export const REQUEST_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006';
/** What ActiveSync clients (phones) post; we serve no ActiveSync, so they get 601. */
export const MOBILESYNC_REQUEST_NS = 'http://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006';
export const RESPONSE_NS = 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006';
export const OUTLOOK_RESPONSE_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';

/** Outlook's request is about 350 bytes; 16 KiB leaves room for any client and nothing more. */
export const MAX_REQUEST_BYTES = 16 * 1024;

/** [MS-OXDSCLI] 2.2.4.1.1.3.1: 600 invalid request, 601 nothing of the requested type, 603 internal error. */
export type PoxErrorCode = 600 | 601 | 603;

const MESSAGES: Record<PoxErrorCode, string> = {
  600: 'Invalid Request',
  601: 'Provider is not available',
  603: 'Internal Server Error',
};

export class PoxRequestError extends Error {
  readonly code: PoxErrorCode;

  constructor(code: PoxErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** The normalised address an Outlook request asks about; PoxRequestError (600/601) if it cannot be answered. */
export function parsePoxRequest(body: string): string {
  if (Buffer.byteLength(body, 'utf8') > MAX_REQUEST_BYTES) throw new PoxRequestError(600, 'request too large');
  const root = parse(body);
  if (root.ns === MOBILESYNC_REQUEST_NS) throw new PoxRequestError(601, 'ActiveSync is not offered');
  if (root.ns !== REQUEST_NS || root.name !== 'Autodiscover') throw new PoxRequestError(600, 'not an Outlook Autodiscover request');
  const request = only(childElements(root, REQUEST_NS, 'Request'), 'Request');
  const schema = childElements(request, REQUEST_NS, 'AcceptableResponseSchema');
  // Required by the schema, but a client that leaves it out can only mean the one we serve.
  if (schema.length && textOf(only(schema, 'AcceptableResponseSchema')).trim() !== OUTLOOK_RESPONSE_NS) {
    throw new PoxRequestError(601, 'only the outlook 2006a response schema is offered');
  }
  const address = textOf(only(childElements(request, REQUEST_NS, 'EMailAddress'), 'EMailAddress'));
  if (!domainOf(address)) throw new PoxRequestError(600, 'EMailAddress is not an address');
  return normaliseAddress(address);
}

function parse(body: string): XmlElement {
  try {
    return parseXml(body, { maxLength: MAX_REQUEST_BYTES, maxDepth: 8, maxNodes: 200 });
  } catch (err) {
    if (err instanceof XmlError) throw new PoxRequestError(600, `malformed XML: ${err.message}`);
    throw err;
  }
}

function only<T>(items: T[], name: string): T {
  if (items.length !== 1) throw new PoxRequestError(600, `exactly one ${name} expected`);
  return items[0]!;
}

/**
 * The settings for an address of one of our domains. It depends on nothing but the address and the
 * endpoints, so an unknown user gets exactly what a known one would: the answer never tells.
 */
export function poxSettings(address: string, e: PublicEndpoints): string {
  const imap = imapServers(e)[0];
  const smtp = submissionServers(e)[0];
  const protocols = [imap && protocol('IMAP', imap, address), smtp && protocol('SMTP', smtp, address)].filter((p): p is XmlOut => p !== undefined);
  return renderXml(node('Autodiscover', [
    node('Response', [
      // The address, not the directory's display name: a name would tell that the user exists.
      node('User', [leaf('DisplayName', address)]),
      node('Account', [leaf('AccountType', 'email'), leaf('Action', 'settings'), ...protocols]),
    ], [['xmlns', OUTLOOK_RESPONSE_NS]]),
  ], [['xmlns', RESPONSE_NS]]));
}

function protocol(type: 'IMAP' | 'SMTP', server: MailServer, address: string): XmlOut {
  return node('Protocol', [
    leaf('Type', type),
    leaf('Server', server.host),
    leaf('Port', server.port),
    leaf('LoginName', address),
    leaf('DomainRequired', 'off'),
    leaf('SPA', 'off'),
    leaf('SSL', 'on'),
    leaf('Encryption', server.socket === 'SSL' ? 'SSL' : 'TLS'),
    leaf('AuthRequired', 'on'),
  ]);
}

/**
 * An Autodiscover error, shaped as Exchange sends it: <Response> in the outer namespace (the
 * request may not have named a schema), Time as a time of day, Id a hash of the server's name.
 */
export function poxError(code: PoxErrorCode, at: Date, serverId: string): string {
  return renderXml(node('Autodiscover', [
    node('Response', [
      node('Error', [leaf('ErrorCode', code), leaf('Message', MESSAGES[code]), node('DebugData', [])], [['Time', timeOfDay(at)], ['Id', serverId]]),
    ]),
  ], [['xmlns', RESPONSE_NS]]));
}

/** `16:56:32.6164027`, the form Exchange uses (UTC, seven fractional digits). */
function timeOfDay(at: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}.${pad(at.getUTCMilliseconds(), 3)}0000`;
}
