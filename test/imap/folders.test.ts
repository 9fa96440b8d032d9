/**
 * Folders: default set and SPECIAL-USE, CREATE/RENAME/DELETE/SUBSCRIBE/UNSUBSCRIBE/LIST/LSUB with
 * Unicode names as modified UTF-7 and, after ENABLE UTF8=ACCEPT, as UTF-8; DELETE of a mailbox
 * another session has selected.
 */
import { message, messagesIn, nextEvent, PASSWORD, rawAnswers, useImapServer } from './setup.ts';

const t = useImapServer();
const LOGIN = `LOGIN ann@acme.test "${PASSWORD}"`;
const NAME = 'Überweisungen/日本';
const UTF7 = '&ANw-berweisungen/&ZeVnLA-';

test('the default folders exist at first login, subscribed, with their special-use', async () => {
  const c = await t.clients.connected();
  const list = await c.list();
  const uses = Object.fromEntries(list.map((m) => [m.path, m.specialUse ?? null]));
  expect(uses).toMatchObject({ INBOX: '\\Inbox', Sent: '\\Sent', Drafts: '\\Drafts', Trash: '\\Trash', Junk: '\\Junk', Archive: '\\Archive' });
  const subscribed = (await c.list({ statusQuery: {} })).filter((m) => m.subscribed).map((m) => m.path);
  expect(new Set(subscribed)).toEqual(new Set(['INBOX', 'Sent', 'Drafts', 'Trash', 'Junk', 'Archive']));
});

test('imapflow: a Unicode folder is created, subscribed, renamed and deleted, and names round-trip', async () => {
  const c = await t.clients.connected();
  await c.mailboxCreate(NAME);
  await c.mailboxSubscribe(NAME);
  expect((await c.list()).map((m) => m.path)).toEqual(expect.arrayContaining(['Überweisungen', NAME]));
  expect((await c.list()).find((m) => m.path === NAME)?.subscribed).toBe(true);
  await c.append(NAME, message('unicode'), []);
  await c.mailboxRename(NAME, 'Überweisungen/中国');
  expect(await messagesIn(c, 'Überweisungen/中国')).toBe(1);
  await c.mailboxUnsubscribe('Überweisungen/中国');
  expect((await c.list()).find((m) => m.path === 'Überweisungen/中国')?.subscribed).toBeFalsy();
  await c.mailboxDelete('Überweisungen/中国');
  expect((await c.list()).map((m) => m.path)).not.toContain('Überweisungen/中国');
});

test('on the wire: modified UTF-7 without UTF8=ACCEPT, UTF-8 with it, UNSUBSCRIBE included', async () => {
  const mutf7 = await rawAnswers(t.port, [LOGIN, `CREATE "${UTF7}"`, `SUBSCRIBE "${UTF7}"`, 'LIST "" "&ANw-berweisungen/*"', 'LSUB "" "*"']);
  expect(mutf7[1]).toMatch(/^r2 OK/m);
  expect(mutf7[3]).toContain(`"${UTF7}"`);
  expect(mutf7[4]).toContain(`"${UTF7}"`);

  const utf8 = await rawAnswers(t.port, [
    LOGIN, 'ENABLE UTF8=ACCEPT', 'LIST "" "Überweisungen/*"', 'CREATE "Grüße/Ωmega"', 'SUBSCRIBE "Grüße/Ωmega"',
    'LSUB "" "Grüße/*"', 'UNSUBSCRIBE "Grüße/Ωmega"', 'LSUB "" "Grüße/*"', `UNSUBSCRIBE "${NAME}"`, 'RENAME "Grüße/Ωmega" "Grüße/Ψ"', 'LIST "" "Grüße/*"', 'DELETE "Grüße/Ψ"', 'LIST "" "Grüße/*"',
  ]);
  expect(utf8[1]).toMatch(/^\* ENABLED UTF8=ACCEPT/m);
  expect(utf8[2]).toContain(NAME);
  expect(utf8[2]).not.toContain(UTF7);
  expect(utf8[3]).toMatch(/^r4 OK/m);
  expect(utf8[5]).toContain('Grüße/Ωmega');
  expect(utf8[6]).toMatch(/^r7 OK/m);
  expect(utf8[7]).not.toContain('Grüße/Ωmega');
  expect(utf8[8]).toMatch(/^r9 OK/m);
  expect(utf8[10]).toContain('Grüße/Ψ');
  expect(utf8[12]).not.toContain('Grüße/Ψ');

  const c = await t.clients.connected();
  expect((await c.list()).find((m) => m.path === NAME)?.subscribed).toBeFalsy();
});

test('names that are not valid are refused with NO and nothing is created', async () => {
  const answers = await rawAnswers(t.port, [LOGIN, 'CREATE "a/*b"', 'CREATE "bad%name"', 'CREATE "INBOX"', 'RENAME Sent INBOX', 'DELETE INBOX', 'DELETE "No such"']);
  for (let i = 1; i <= 6; i++) expect(answers[i]).toMatch(new RegExp(`^r${i + 1} NO`, 'm'));
});

test('DELETE of a mailbox another session has selected ends that session with BYE', async () => {
  const a = await t.clients.connected();
  const b = await t.clients.connected();
  await a.mailboxCreate('Doomed');
  await b.mailboxOpen('Doomed');
  const closed = nextEvent(b, 'close');
  await a.mailboxDelete('Doomed');
  await closed;
  expect(b.usable).toBe(false);
  expect((await a.list()).map((m) => m.path)).not.toContain('Doomed');
});
