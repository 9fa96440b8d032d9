/**
 * Deprovisioning: a user disabled through SCIM loses their open IMAP sessions at once (BYE), and
 * once the directory purges them past retention, their mailboxes and messages are deleted.
 */
import { rmSync } from 'node:fs';
import { ImapFlow } from 'imapflow';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { FREE_PORT, startServer, type RunningServer } from '../helpers/server.ts';
import { ScimClient } from '../scim/client.ts';
import { message, nextEvent, PASSWORD, provisionAnn, SETUP_TIMEOUT_MS } from './setup.ts';

let s: RunningServer | undefined;
const clients: ImapFlow[] = [];

afterAll(async () => {
  await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
  await s?.stop();
}, SETUP_TIMEOUT_MS);

function zoe(port: number): ImapFlow {
  const c = new ImapFlow({
    host: '127.0.0.1', port, secure: true, tls: { rejectUnauthorized: false }, logger: false,
    auth: { user: 'zoe@acme.test', pass: PASSWORD },
  });
  c.on('error', () => undefined);
  clients.push(c);
  return c;
}

test('disabling a user ends their IDLE session with BYE; removal and purge delete their mail, calendars, contacts and files', async () => {
  s = await startServer({ STOA_IMAP_PORT: FREE_PORT, STOA_IMAP_STARTTLS_PORT: '0', STOA_FILES_PLAIN_LOOPBACK_BASIC: 'true' });
  const port = s.ports.STOA_IMAP_PORT!;
  await provisionAnn(s, PASSWORD);
  await s.stoaOk(['user', 'add', 'zoe@acme.test', '--password-stdin'], `${PASSWORD}\n`);
  const scim = new ScimClient(`${s.http}/acme/scim/v2`, (await s.stoaOk(['scim-token', 'acme'])).lastLine.trim());
  const found = await scim.get('/Users?filter=' + encodeURIComponent('userName eq "zoe@acme.test"'));
  const id = String(found.body.Resources[0].id);

  const davAs = (user: string) => (method: string, path: string, body: string) => fetch(`${s!.http}${path}`, {
    method, body, headers: { authorization: `Basic ${Buffer.from(`${user}:${PASSWORD}`).toString('base64')}`, 'content-type': 'application/xml' },
  });
  const zoeDav = davAs('zoe@acme.test');
  const share = '<CS:share xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><CS:set><D:href>mailto:zoe@acme.test</D:href><CS:read/></CS:set></CS:share>';
  expect((await davAs('ann@acme.test')('POST', '/acme/calendar/default/', share)).status).toBe(200);
  const event = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:z1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
  expect((await zoeDav('PUT', '/acme/calendar/default/z1.ics', event)).status).toBe(201);
  expect((await zoeDav('PUT', '/acme/webdav/home/notes.txt', 'zoe notes')).status).toBe(201);

  const c = zoe(port);
  await c.connect();
  await c.append('INBOX', message('zoe keeps this'), []);
  await c.mailboxOpen('INBOX');
  void c.idle();
  const closed = nextEvent(c, 'close');
  const patched = await scim.patch(`/Users/${id}`, [{ op: 'replace', path: 'active', value: false }]);
  expect(patched.status).toBe(200);
  await closed;
  await expect(zoe(port).connect()).rejects.toThrow();

  expect((await scim.delete(`/Users/${id}`)).status).toBe(204);
  const dataDir = s.dataDir;
  await s.stop({ keepData: true });
  // Retention 0: the purge at start-up takes zoe, and her mail with her.
  s = await startServer({ STOA_IMAP_PORT: '0', STOA_DIRECTORY_RETENTION_DAYS: '0' }, dataDir);
  await s.stop({ keepData: true });
  expect(s.output()).toMatch(/purged deprovisioned users/);
  const store = await openSqliteStore({ dataDir, pollIntervalMs: 50 });
  try {
    expect(await store.mail.listMailboxes(id)).toEqual([]);
    expect(await store.mail.usage(id)).toBe(0);
    const tenantId = (await store.directory.getTenantBySlug('acme'))!.id;
    expect(await store.davObjects.collections(`${tenantId}:${id}`, 'calendar')).toEqual([]);
    expect(await store.davObjects.collections(`${tenantId}:${id}`, 'addressbook')).toEqual([]);
    expect(await store.davObjects.grantsTo(`${tenantId}:${id}`)).toEqual([]);
    expect(await store.files.usage(`${tenantId}:user:${id}`)).toBe(0);
  } finally {
    await store.close();
  }
  s = undefined;
  rmSync(dataDir, { recursive: true, force: true });
}, 3 * SETUP_TIMEOUT_MS);
