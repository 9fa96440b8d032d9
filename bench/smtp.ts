/**
 * SMTP bench: 2 000 messages of 20 KB submitted over 10 parallel authenticated TLS connections
 * (one per sender, nodemailer with a one-connection pool) to local INBOXes, timed from the first
 * command to each 250, i.e. until the message is stored. Then the same workload against Postfix
 * handing over to Dovecot by LMTP, when bench/postfix-dovecot.ts can set them up.
 */
import nodemailer from 'nodemailer';
import { startServer } from '../test/helpers/server.ts';
import { freePort } from '../test/helpers/ports.ts';
import type { BenchContext } from './run.ts';
import { startPostfixDovecot } from './postfix-dovecot.ts';
import { format, pool, summarise, timed } from './stats.ts';

const PASSWORD = 'bench-password-123';
const CONNECTIONS = 10;
const MESSAGE_BYTES = 20 * 1024;

export interface SmtpTarget {
  port: number;
  /** Implicit TLS (465 style) or STARTTLS. */
  secure: boolean;
  /** The address of sender `i`, who logs in as itself with PASSWORD. */
  sender(i: number): string;
  recipient(i: number): string;
}

export async function smtpBench(ctx: BenchContext): Promise<void> {
  const messages = ctx.scale(2000);
  const server = await startServer({ ...ctx.env, STOA_SMTP_SUBMISSIONS_PORT: String(await freePort()), STOA_SMTP_RATE_LIMIT_PER_HOUR: '0' });
  try {
    await server.stoaOk(['tenant', 'add', 'bench']);
    await server.stoaOk(['domain', 'add', 'bench', 'bench.test']);
    for (let i = 0; i < CONNECTIONS; i++) {
      await server.stoaOk(['user', 'add', `s${i}@bench.test`, '--password-stdin'], `${PASSWORD}\n`);
      await server.stoaOk(['user', 'add', `r${i}@bench.test`, '--password-stdin'], `${PASSWORD}\n`);
    }
    const target: SmtpTarget = {
      port: Number(server.env.STOA_SMTP_SUBMISSIONS_PORT), secure: true,
      sender: (i) => `s${i}@bench.test`, recipient: (i) => `r${i % CONNECTIONS}@bench.test`,
    };
    ctx.print(await run('Stoa: submission 465 → local INBOX', target, messages));
    const store = await ctx.openStore(server.dataDir);
    try {
      let stored = 0;
      for (let i = 0; i < CONNECTIONS; i++) {
        const user = await store.directory.findUserByAddress(target.recipient(i));
        const inbox = user ? (await store.mail.listMailboxes(user.id)).find((b) => b.path === 'INBOX') : undefined;
        if (inbox) stored += (await store.mail.snapshot(inbox.id)).uids.length;
      }
      ctx.print(`  messages in the recipients' INBOXes: ${stored} of ${messages}`);
    } finally {
      await store.close();
    }
  } finally {
    await server.stop();
  }

  const peer = await startPostfixDovecot(CONNECTIONS, PASSWORD);
  if ('skipped' in peer) {
    ctx.print(`Postfix + Dovecot LMTP: not run (${peer.skipped})`);
    return;
  }
  try {
    const start = performance.now();
    ctx.print(await run('Postfix 465 → Dovecot LMTP → Maildir', peer.target, messages));
    const stored = await peer.delivered(messages);
    const seconds = (performance.now() - start) / 1000;
    ctx.print(`  messages in the recipients' Maildirs: ${stored} of ${messages}, all there after ${seconds.toFixed(1)} s (${(stored / seconds).toFixed(0)} msg/s stored)`);
  } finally {
    await peer.stop();
  }
}

/** Sends `messages` over CONNECTIONS senders in parallel; the summary line with messages/s. */
async function run(name: string, target: SmtpTarget, messages: number): Promise<string> {
  const body = `${'x'.repeat(76)}\r\n`.repeat(Math.ceil(MESSAGE_BYTES / 78));
  const transports = Array.from({ length: CONNECTIONS }, (_, i) => nodemailer.createTransport({
    host: '127.0.0.1', port: target.port, secure: target.secure, requireTLS: !target.secure, tls: { rejectUnauthorized: false },
    pool: true, maxConnections: 1, maxMessages: Infinity, auth: { user: target.sender(i), pass: PASSWORD },
  }));
  const samples: number[] = [];
  let sent = 0;
  const start = performance.now();
  try {
    await Promise.all(transports.map((transport, i) => pool(Math.ceil(messages / CONNECTIONS), 1, async () => {
      if (sent >= messages) return;
      const n = sent++;
      await timed(samples, () => transport.sendMail({
        from: target.sender(i), to: target.recipient(n), subject: `bench ${n}`, text: body,
      }));
    })));
  } finally {
    for (const t of transports) t.close();
  }
  const seconds = (performance.now() - start) / 1000;
  return `${format(`${name} (${CONNECTIONS} conns, 20 KB)`, summarise(samples))}  ${(samples.length / seconds).toFixed(0)} msg/s`;
}
