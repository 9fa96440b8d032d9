import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { ImapFlow } from 'imapflow';
import type { RunningServer } from '../helpers/server.ts';
import { provisionAnn } from '../imap/setup.ts';

export const PASSWORD = 'a long enough password';
/** Generous: the machine is shared; a wait only bounds a failing test. */
export const WAIT_MS = 20_000;

/** Tenant acme (acme.test) with ann (alias anne@acme.test) and bob, all with PASSWORD. */
export async function provisionAcme(s: RunningServer): Promise<void> {
  await provisionAnn(s, PASSWORD);
  await s.stoaOk(['user', 'add', 'bob@acme.test', '--password-stdin'], `${PASSWORD}\n`);
  await s.stoaOk(['alias', 'add', 'ann@acme.test', 'anne@acme.test']);
}

export type PyStep = [string, ...unknown[]];
export interface PyResult {
  code: number;
  text?: string;
  features?: string[];
  refused?: Record<string, [number, string]>;
}

/** Runs test/smtp/smtp_client.py (Python's smtplib) with these steps; one result per step. */
export function smtplib(port: number, mode: 'starttls' | 'ssl' | 'plain' | 'lmtp', steps: PyStep[]): Promise<PyResult[]> {
  const script = resolve(import.meta.dirname, 'smtp_client.py');
  const spec = JSON.stringify({ host: '127.0.0.1', port, mode, steps });
  return new Promise((resolvePromise, reject) => {
    const child = execFile('python3', [script], { timeout: 90_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`smtp_client.py failed: ${error.message}\n${stderr}`));
      resolvePromise(JSON.parse(stdout) as PyResult[]);
    });
    child.stdin!.end(spec);
  });
}

export async function imapClient(s: RunningServer, user: string): Promise<ImapFlow> {
  const c = new ImapFlow({
    host: '127.0.0.1', port: s.ports.STOA_IMAP_PORT!, secure: true, tls: { rejectUnauthorized: false },
    auth: { user, pass: PASSWORD }, logger: false,
  });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/** Waits until `check` returns a value; fails after WAIT_MS. */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, what: string): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${WAIT_MS} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Subjects of the messages in a user's INBOX, oldest first. */
export async function inboxSubjects(c: ImapFlow): Promise<string[]> {
  const lock = await c.getMailboxLock('INBOX');
  try {
    // A selected mailbox learns of new mail from untagged EXISTS, which NOOP asks for.
    await c.noop();
    const subjects: string[] = [];
    for await (const m of c.fetch('1:*', { envelope: true })) subjects.push(m.envelope?.subject ?? '');
    return subjects;
  } catch {
    return [];
  } finally {
    lock.release();
  }
}

export function message(from: string, to: string, subject: string, body = 'Hello\r\n'): string {
  return `From: ${from}\r\nTo: ${to}\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}.${Date.now()}@test>\r\n\r\n${body}`;
}

/** The source of the newest message in a user's INBOX, once there is one. */
export async function lastMessage(s: RunningServer, user: string): Promise<string> {
  const c = await imapClient(s, user);
  try {
    return await eventually(async () => {
      const lock = await c.getMailboxLock('INBOX');
      try {
        await c.noop();
        if (!c.mailbox || !c.mailbox.exists) return null;
        const last = await c.fetchOne('*', { source: true });
        return last && last.source ? last.source.toString() : null;
      } finally {
        lock.release();
      }
    }, `mail for ${user}`);
  } finally {
    await c.logout().catch(() => undefined);
  }
}
