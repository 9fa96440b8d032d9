/**
 * A small DNS responder over UDP on loopback, for tests that point Stoa's resolver (and mailauth
 * through it) at test domains: A, MX and TXT records, NXDOMAIN for unknown names. A real DNS peer
 * on a real socket; only the answers are canned.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';

export interface Zone {
  A?: string[];
  MX?: { priority: number; exchange: string }[];
  /** Each record is a list of strings (as node:dns returns TXT); longer than 255 bytes is split. */
  TXT?: string[][];
}

export interface DnsServer {
  /** `127.0.0.1:port`, for smtp.dns_servers. */
  address: string;
  /** Records by lower-case name; change them while the server runs. */
  zones: Map<string, Zone>;
  close(): Promise<void>;
}

const TYPES: Record<number, keyof Zone> = { 1: 'A', 15: 'MX', 16: 'TXT' };

export async function startDnsServer(zones: Record<string, Zone> = {}): Promise<DnsServer> {
  const records = new Map(Object.entries(zones).map(([name, zone]) => [name.toLowerCase(), zone]));
  const socket = createSocket('udp4');
  socket.on('message', (query: Buffer, peer: RemoteInfo) => {
    const answer = respond(query, records);
    if (answer) socket.send(answer, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    zones: records,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

function respond(query: Buffer, zones: Map<string, Zone>): Buffer | null {
  if (query.length < 12) return null;
  let offset = 12;
  const labels: string[] = [];
  while (offset < query.length && query[offset] !== 0) {
    const length = query[offset]!;
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString('latin1'));
    offset += length + 1;
  }
  offset += 1;
  const type = query.readUInt16BE(offset);
  const question = query.subarray(12, offset + 4);
  const zone = zones.get(labels.join('.').toLowerCase());
  const kind = TYPES[type];
  const answers = zone && kind ? rdata(zone, kind) : [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  // QR, AA, RD copied, RA; RCODE 3 (NXDOMAIN) for a name we have nothing for.
  header.writeUInt16BE(0x8480 | (query.readUInt16BE(2) & 0x0100) | (zone ? 0 : 3), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  const records = answers.map((data) => {
    const fixed = Buffer.alloc(12);
    fixed.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    fixed.writeUInt16BE(type, 2);
    fixed.writeUInt16BE(1, 4);
    fixed.writeUInt32BE(60, 6);
    fixed.writeUInt16BE(data.length, 10);
    return Buffer.concat([fixed, data]);
  });
  return Buffer.concat([header, question, ...records]);
}

function rdata(zone: Zone, kind: keyof Zone): Buffer[] {
  if (kind === 'A') return (zone.A ?? []).map((ip) => Buffer.from(ip.split('.').map(Number)));
  if (kind === 'MX') {
    return (zone.MX ?? []).map(({ priority, exchange }) => {
      const preference = Buffer.alloc(2);
      preference.writeUInt16BE(priority);
      return Buffer.concat([preference, encodeName(exchange)]);
    });
  }
  // One character-string holds at most 255 bytes: longer ones go out as several, as a zone file would.
  return (zone.TXT ?? []).map((strings) => Buffer.concat(strings.flatMap((s) => {
    const bytes = Buffer.from(s);
    const parts: Buffer[] = [];
    for (let i = 0; i < bytes.length || i === 0; i += 255) {
      const part = bytes.subarray(i, i + 255);
      parts.push(Buffer.from([part.length]), part);
    }
    return parts;
  })));
}

function encodeName(name: string): Buffer {
  const parts = name.split('.').filter(Boolean).map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}
