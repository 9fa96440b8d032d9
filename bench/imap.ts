/**
 * IMAP bench (issue 5): the same workload against Stoa and a private Dovecot (Debian's
 * dovecot-imapd) in one run, printing both times and the ratio (Stoa / Dovecot; below 1 means Stoa
 * is faster): a mailbox of 10 000 messages (× --scale), then SELECT, UID FETCH 1:* (FLAGS
 * ENVELOPE), UID SEARCH BODY of a word in 1 % of the messages, 200 APPENDs of 100 KB; then the
 * resident memory of Stoa holding 1 000 authenticated IDLE connections (and, for comparison,
 * Dovecot's proportional memory over all its processes).
 *
 * Both mailboxes are filled over IMAP with the same messages; a first SELECT per server (which
 * builds Dovecot's index) runs before the timed steps. Stoa is reached over implicit TLS (it
 * offers no plaintext login), Dovecot over plain TCP on loopback: the TLS cost is on Stoa's side.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { startDovecot } from '../test/helpers/dovecot.ts';
import { RawImap } from '../test/helpers/raw-imap.ts';
import { FREE_PORT, startServer } from '../test/helpers/server.ts';
import { pool } from './stats.ts';
import type { BenchContext } from './run.ts';

const PASSWORD = 'bench-password-123';
const RARE_WORD = 'quetzalcoatl';
const WORDS = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu'.split(' ');

/** A plain message of about 2 KB; every hundredth carries RARE_WORD in its body. */
function message(i: number): Buffer {
  const lines: string[] = [];
  for (let l = 0; l < 25; l++) {
    lines.push(Array.from({ length: 12 }, (_, w) => WORDS[(i * 7 + l * 13 + w * 3) % WORDS.length]).join(' '));
  }
  if (i % 100 === 0) lines.splice(10, 0, `this one mentions ${RARE_WORD} once`);
  const day = (i % 28) + 1;
  return Buffer.from([
    `Date: Mon, ${day} Sep 2024 10:${String(i % 60).padStart(2, '0')}:00 +0200`,
    `From: Sender ${i} <sender${i}@example.org>`,
    'To: Ann <ann@acme.test>',
    `Subject: Bench message ${i} about ${WORDS[i % WORDS.length]}`,
    `Message-ID: <bench-${i}@example.org>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    ...lines,
    '',
  ].join('\r\n'));
}

/** A 100 KB message: a short text part and a base64 attachment. */
function bigMessage(i: number): Buffer {
  const data = Buffer.alloc(74 * 1024, i & 0xff);
  const b64 = (data.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
  return Buffer.from(`From: big@example.org\r\nTo: ann@acme.test\r\nSubject: Big ${i}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n--b--\r\n`);
}

interface Target {
  name: string;
  connect(): Promise<RawImap>;
}

async function ms<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

async function fill(target: Target, count: number): Promise<number> {
  const started = performance.now();
  // Four connections in parallel: how a migration tool or a busy client would load a mailbox.
  // One worker per connection: a connection carries one command at a time.
  const clients = await Promise.all(Array.from({ length: 4 }, () => target.connect()));
  let next = 0;
  await Promise.all(clients.map(async (c) => {
    for (let i = next++; i < count; i = next++) await c.ok(['APPEND INBOX (\\Seen) "02-Sep-2024 10:15:00 +0200" ', message(i)]);
  }));
  await Promise.all(clients.map((c) => c.close()));
  return performance.now() - started;
}

interface Row {
  step: string;
  stoa: number | null;
  dovecot: number | null;
  note?: string;
}

async function workload(target: Target, messages: number, appends: number): Promise<Map<string, { ms: number | null; note?: string }>> {
  const out = new Map<string, { ms: number | null; note?: string }>();
  const warm = await target.connect();
  out.set('first SELECT (untimed warm-up)', { ms: (await ms(() => warm.ok(['SELECT INBOX']))).ms });
  await warm.close();

  const c = await target.connect();
  const select = await ms(() => c.ok(['SELECT INBOX']));
  const exists = select.value.untagged.map((b) => /^\* (\d+) EXISTS/.exec(b.toString('latin1'))?.[1]).find(Boolean);
  out.set('SELECT INBOX', { ms: select.ms, note: `${exists} EXISTS` });

  const fetch = await ms(() => c.ok(['UID FETCH 1:* (FLAGS ENVELOPE)']));
  out.set('UID FETCH 1:* (FLAGS ENVELOPE)', { ms: fetch.ms, note: `${fetch.value.untagged.length} rows` });

  const search = await ms(() => c.command([`UID SEARCH BODY ${RARE_WORD}`]));
  if (search.value.status.startsWith('OK')) {
    const hits = search.value.untagged.map((b) => b.toString('latin1')).find((l) => l.startsWith('* SEARCH'))?.split(' ').length ?? 2;
    out.set(`UID SEARCH BODY (1 % of ${messages})`, { ms: search.ms, note: `${hits - 2} hits, ${Math.ceil(messages / 100)} expected` });
  } else {
    out.set(`UID SEARCH BODY (1 % of ${messages})`, { ms: null, note: `n/a: ${search.value.status.slice(0, 60)}` });
  }

  const big = Array.from({ length: appends }, (_, i) => bigMessage(i));
  const append = await ms(async () => {
    for (const raw of big) await c.ok(['APPEND INBOX () ', raw]);
  });
  out.set(`${appends} × APPEND 100 KB (sequential)`, { ms: append.ms });
  await c.close();
  return out;
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/**
 * Dovecot runs a process per connection, so its memory is the proportional set size (shared pages
 * split between the processes that share them) summed over the master and its children.
 */
function dovecotPssKb(master: number): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
      if (Number(entry) !== master && ppid !== master) continue;
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${entry}/smaps_rollup`, 'utf8'));
      total += m ? Number(m[1]) : 0;
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

/** Memory in kB before and while `count` connections are authenticated and idling. */
async function idleMemory(target: Target, memoryKb: () => number, count: number): Promise<{ before: number; after: number; connections: number }> {
  const before = memoryKb();
  const clients: RawImap[] = [];
  try {
    await pool(count, 20, async () => {
      const c = await target.connect();
      clients.push(c);
      await c.ok(['SELECT INBOX']);
      await c.idle();
    });
    await new Promise((r) => setTimeout(r, 2000)); // let the server settle (GC, buffers)
    return { before, after: memoryKb(), connections: clients.length };
  } finally {
    for (const c of clients) c.destroy();
  }
}

function printMemory(ctx: BenchContext, what: string, m: { before: number; after: number; connections: number }): void {
  ctx.print(`${what}: ${(m.before / 1024).toFixed(0)} MB before, ${(m.after / 1024).toFixed(0)} MB with ${m.connections} authenticated IDLE connections (${((m.after - m.before) / m.connections).toFixed(0)} kB each)`);
}

function print(ctx: BenchContext, rows: Row[]): void {
  ctx.print(`${'step'.padEnd(44)} ${'stoa'.padStart(10)} ${'dovecot'.padStart(10)} ${'ratio'.padStart(7)}`);
  const f = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(0)} ms`).padStart(10);
  for (const r of rows) {
    const ratio = r.stoa !== null && r.dovecot !== null && r.dovecot > 0 ? `${(r.stoa / r.dovecot).toFixed(2)}×` : 'n/a';
    ctx.print(`${r.step.padEnd(44)} ${f(r.stoa)} ${f(r.dovecot)} ${ratio.padStart(7)}${r.note ? `   ${r.note}` : ''}`);
  }
}

export async function imapBench(ctx: BenchContext): Promise<void> {
  const messages = ctx.scale(10_000);
  const appends = ctx.scale(200);
  const idlers = ctx.scale(1000);
  const server = await startServer({ ...ctx.env, STOA_IMAP_PORT: FREE_PORT });
  const dovecot = await startDovecot();
  try {
    await server.stoaOk(['tenant', 'add', 'acme']);
    await server.stoaOk(['domain', 'add', 'acme', 'acme.test']);
    await server.stoaOk(['user', 'add', 'ann@acme.test', '--password-stdin'], `${PASSWORD}\n`);
    const stoa: Target = {
      name: 'stoa',
      connect: async () => {
        const c = await RawImap.connect(server.ports.STOA_IMAP_PORT!, { tls: true });
        await c.ok([`LOGIN ann@acme.test "${PASSWORD}"`]);
        return c;
      },
    };
    const dove: Target = {
      name: 'dovecot',
      connect: async () => {
        const c = await RawImap.connect(dovecot.port);
        await c.ok([`LOGIN ann "${dovecot.password}"`]);
        return c;
      },
    };
    const fills = [await fill(stoa, messages), await fill(dove, messages)];
    const rows: Row[] = [{ step: `fill ${messages} × APPEND ~2 KB (4 connections)`, stoa: fills[0]!, dovecot: fills[1]! }];
    const [a, b] = [await workload(stoa, messages, appends), await workload(dove, messages, appends)];
    for (const [step, x] of a) {
      const y = b.get(step);
      rows.push({ step, stoa: x.ms, dovecot: y?.ms ?? null, ...(x.note || y?.note ? { note: `stoa: ${x.note ?? '-'}; dovecot: ${y?.note ?? '-'}` } : {}) });
    }
    print(ctx, rows);
    printMemory(ctx, 'Stoa RSS', await idleMemory(stoa, () => rssKb(server.pid), idlers));
    printMemory(ctx, 'Dovecot PSS, all processes', await idleMemory(dove, () => dovecotPssKb(dovecot.pid), idlers));
  } finally {
    await dovecot.stop();
    await server.stop();
  }
}
