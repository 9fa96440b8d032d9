/**
 * CalDAV against Radicale in one run: upload events (one in ten weekly-recurring), a client's first
 * sync (PROPFIND Depth 1 for the etags, then calendar-multiget in batches of 100), a one-month
 * time-range query, and sync-collection after one change. Prints both and the ratio.
 */
import { startServer } from '../test/helpers/server.ts';
import type { BenchContext } from './run.ts';
import { startRadicale } from './radicale.ts';
import { pool } from './stats.ts';

const USER = 'bench@bench.test';
const PASSWORD = 'bench password 1';
const XML = 'application/xml; charset=utf-8';
const DAY = 86_400_000;
const START = Date.UTC(2027, 0, 1, 9);

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
}

async function send(target: Target, method: string, url: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { method, body, headers: { authorization: target.authorization, ...headers } });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 200)}`);
  return { status: response.status, text };
}

async function ms(step: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await step();
  return performance.now() - start;
}

async function measure(target: Target, count: number): Promise<Record<string, number>> {
  const path = new URL(target.url).pathname;
  const upload = await ms(() => pool(count, 4, async (i) => void (await send(target, 'PUT', `${target.url}e${i}.ics`, event(i), { 'content-type': 'text/calendar' }))));
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
  const server = await startServer({ ...ctx.env, STOA_FILES_PLAIN_LOOPBACK_BASIC: 'true' });
  const radicale = await startRadicale();
  try {
    await server.stoaOk(['tenant', 'add', 'bench']);
    await server.stoaOk(['domain', 'add', 'bench', 'bench.test']);
    await server.stoaOk(['user', 'add', USER, '--password-stdin'], `${PASSWORD}\n`);
    const stoa = { url: `${server.http}/bench/calendar/default/`, authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` };
    const reference = { url: `${radicale.url}bench/work/`, authorization: `Basic ${Buffer.from('bench:x').toString('base64')}` };
    await send(reference, 'MKCALENDAR', reference.url);
    const a = await measure(stoa, count);
    const b = await measure(reference, count);
    const rows: Array<[string, number, number]> = [
      [`upload ${count} events, 4 at a time (s)`, a.upload! / 1000, b.upload! / 1000],
      ['first sync: PROPFIND + multiget by 100 (ms)', a.firstSync!, b.firstSync!],
      ['one-month time-range query (ms)', a.month!, b.month!],
      ['sync-collection after one change (ms)', a.delta!, b.delta!],
    ];
    ctx.print(`${'CalDAV (times: lower is better)'.padEnd(46)} ${'Stoa'.padStart(10)} ${'Radicale'.padStart(10)}  Radicale/Stoa`);
    for (const [name, x, y] of rows) ctx.print(`${name.padEnd(46)} ${x.toFixed(1).padStart(10)} ${y.toFixed(1).padStart(10)}  ${(y / x).toFixed(1)}×`);
  } finally {
    await radicale.stop();
    await server.stop();
  }
}
