/**
 * CalDAV against Radicale in one run: upload events (one in ten weekly-recurring), a client's first
 * sync (PROPFIND Depth 1 for the etags, then calendar-multiget in batches of 100), a one-month
 * time-range query, and sync-collection after one change. Prints both and the ratio. Only the first
 * tenth of the upload goes through PUT and is timed (Radicale takes minutes for 10 000); the rest is
 * loaded directly: into Stoa's store through the groupware service (the checks a PUT makes), into
 * Radicale's storage folder as files. node:http, not fetch: undici fails under this load
 * (nodejs/undici#5360).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { GroupwareService } from '../src/groupware/service.ts';
import { startServer } from '../test/helpers/server.ts';
import type { BenchContext } from './run.ts';
import { startRadicale } from './radicale.ts';
import { pool } from './stats.ts';

const USER = 'bench@bench.test';
const PASSWORD = 'bench password 1';
const XML = 'application/xml; charset=utf-8';
const DAY = 86_400_000;
const START = Date.UTC(2027, 0, 1, 9);
const agent = new Agent({ keepAlive: true, maxSockets: 8 });

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

function event(i: number, summary = `Event ${i}`): string {
  const start = START + (i % 1000) * DAY + (i % 8) * 3_600_000;
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Stoa bench//EN', 'BEGIN:VEVENT', `UID:bench-${i}`, 'DTSTAMP:20270101T000000Z',
    `DTSTART:${stamp(start)}`, `DTEND:${stamp(start + 3_600_000)}`, `SUMMARY:${summary}`, ...(i % 10 === 0 ? ['RRULE:FREQ=WEEKLY;COUNT=20'] : []),
    'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
}

interface Target {
  /** The calendar collection, ending with a slash. */
  url: string;
  authorization: string;
  /** Stores events [from, to) without PUT. */
  load(from: number, to: number): Promise<void>;
}

function send(target: Target, method: string, url: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: { authorization: target.authorization, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status >= 300) reject(new Error(`${method} ${url}: ${status} ${text.slice(0, 200)}`));
        else resolve({ status, text });
      });
      res.on('error', reject);
    });
    req.on('error', (err) => reject(new Error(`${method} ${url}: ${err.message}`)));
    req.end(body);
  });
}

async function ms(step: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await step();
  return performance.now() - start;
}

async function measure(target: Target, count: number, timedPuts: number): Promise<Record<string, number>> {
  const path = new URL(target.url).pathname;
  const upload = await ms(() => pool(timedPuts, 4, async (i) => void (await send(target, 'PUT', `${target.url}e${i}.ics`, event(i), { 'content-type': 'text/calendar' }))));
  await target.load(timedPuts, count);
  // The server may have closed connections left idle through a long load; start afresh.
  agent.destroy();
  // Untimed: a server that learns about loaded files on first read (Radicale's item cache) does so here.
  await send(target, 'PROPFIND', target.url, '<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>', { depth: '1', 'content-type': XML });
  let hrefs: string[] = [];
  const firstSync = await ms(async () => {
    const listing = await send(target, 'PROPFIND', target.url, '<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>', { depth: '1', 'content-type': XML });
    hrefs = [...listing.text.matchAll(/<(?:\w+:)?href>([^<]+\.ics)<\/(?:\w+:)?href>/g)].map((m) => m[1]!);
    for (let i = 0; i < hrefs.length; i += 100) {
      const batch = hrefs.slice(i, i + 100).map((h) => `<D:href>${h}</D:href>`).join('');
      await send(target, 'REPORT', target.url, `<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop>${batch}</C:calendar-multiget>`, { depth: '1', 'content-type': XML });
    }
  });
  if (hrefs.length !== count) throw new Error(`${path}: PROPFIND listed ${hrefs.length} of ${count} events`);
  const month = await ms(() => send(target, 'REPORT', target.url,
    '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
    + '<C:time-range start="20270601T000000Z" end="20270701T000000Z"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>', { depth: '1', 'content-type': XML }));
  const syncBody = (token: string) => `<D:sync-collection xmlns:D="DAV:"><D:sync-token>${token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`;
  const initial = await send(target, 'REPORT', target.url, syncBody(''), { 'content-type': XML });
  const token = /<(?:\w+:)?sync-token>([^<]+)</.exec(initial.text)![1]!;
  await send(target, 'PUT', `${target.url}e1.ics`, event(1, 'Changed'), { 'content-type': 'text/calendar' });
  const delta = await ms(() => send(target, 'REPORT', target.url, syncBody(token), { 'content-type': XML }));
  return { upload, firstSync, month, delta };
}

export async function caldavBench(ctx: BenchContext): Promise<void> {
  const count = ctx.scale(10_000);
  const timedPuts = ctx.scale(1_000);
  const server = await startServer({ ...ctx.env, STOA_FILES_PLAIN_LOOPBACK_BASIC: 'true' });
  const radicale = await startRadicale();
  try {
    const idOf = (line: string) => /\(([0-9a-f-]{36})\)/.exec(line)![1]!;
    const tenantId = idOf((await server.stoaOk(['tenant', 'add', 'bench'])).lastLine);
    await server.stoaOk(['domain', 'add', 'bench', 'bench.test']);
    const userId = idOf((await server.stoaOk(['user', 'add', USER, '--password-stdin'], `${PASSWORD}\n`)).lastLine);
    const stoa: Target = {
      url: `${server.http}/bench/calendar/default/`, authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`,
      load: async (from, to) => {
        const store = await ctx.openStore(server.dataDir);
        try {
          const service = new GroupwareService(store.davObjects, store.journal);
          const calendar = (await service.collection(GroupwareService.ownerId(tenantId, userId), 'calendar', 'default'))!;
          for (let i = from; i < to; i++) await service.put(calendar, `e${i}.ics`, Buffer.from(event(i)));
        } finally {
          await store.close();
        }
      },
    };
    const folder = join(radicale.folder, 'collection-root', 'bench', 'work');
    const reference: Target = {
      url: `${radicale.url}bench/work/`, authorization: `Basic ${Buffer.from('bench:x').toString('base64')}`,
      load: async (from, to) => {
        for (let i = from; i < to; i++) writeFileSync(join(folder, `e${i}.ics`), event(i));
      },
    };
    await send(reference, 'MKCALENDAR', reference.url);
    mkdirSync(folder, { recursive: true });
    const a = await measure(stoa, count, timedPuts);
    const b = await measure(reference, count, timedPuts);
    const rows: Array<[string, number, number]> = [
      [`upload ${timedPuts} of ${count} events by PUT, 4 at a time (s)`, a.upload! / 1000, b.upload! / 1000],
      ['first sync: PROPFIND + multiget by 100 (ms)', a.firstSync!, b.firstSync!],
      ['one-month time-range query (ms)', a.month!, b.month!],
      ['sync-collection after one change (ms)', a.delta!, b.delta!],
    ];
    ctx.print(`${'CalDAV (times: lower is better)'.padEnd(54)} ${'Stoa'.padStart(10)} ${'Radicale'.padStart(10)}  Radicale/Stoa`);
    for (const [name, x, y] of rows) ctx.print(`${name.padEnd(54)} ${x.toFixed(1).padStart(10)} ${y.toFixed(1).padStart(10)}  ${(y / x).toFixed(1)}×`);
  } finally {
    await radicale.stop();
    await server.stop();
  }
}
