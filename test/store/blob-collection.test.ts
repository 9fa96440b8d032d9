/**
 * Blob collection on a running server, on both stores: bytes that expunged mail, replaced files and
 * deleted files leave behind are removed once past the grace, and nothing still named is touched.
 */
import { ImapFlow } from 'imapflow';
import { describeWithServers } from '../helpers/ferretdb.ts';
import { FREE_PORT, type RunningServer } from '../helpers/server.ts';
import { basic, PASSWORD, startDavServer } from '../dav/setup.ts';

const message = (subject: string) => Buffer.from(`From: bob@acme.test\r\nTo: ann@acme.test\r\nSubject: ${subject}\r\n\r\n${subject} body\r\n`);

function collectionSuite(env: () => Record<string, string>): void {
  let s: RunningServer;
  let imap: ImapFlow;
  const file = (name: string) => `${s.http}/acme/webdav/home/${name}`;
  const auth = { authorization: basic('ann@acme.test') };
  const removed = async (args: string[]) => Number(/^(\d+) unreferenced/m.exec((await s.stoaOk(['blobs', 'collect', ...args])).stdout)![1]);

  beforeAll(async () => {
    ({ s } = await startDavServer({ STOA_IMAP_PORT: FREE_PORT, ...env() }));
    imap = new ImapFlow({ host: '127.0.0.1', port: s.ports.STOA_IMAP_PORT!, secure: true, tls: { rejectUnauthorized: false }, auth: { user: 'ann@acme.test', pass: PASSWORD }, logger: false });
    await imap.connect();
  }, 180_000);

  afterAll(async () => {
    await imap?.logout().catch(() => undefined);
    await s?.stop();
  }, 60_000);

  it('removes what expunged mail and replaced or deleted files left, only past the grace, and keeps what is named', async () => {
    for (const [name, body] of [['kept.txt', 'first version'], ['kept.txt', 'second version'], ['gone.txt', 'doomed']] as const) {
      expect((await fetch(file(name), { method: 'PUT', headers: auth, body })).ok).toBe(true);
    }
    expect((await fetch(file('gone.txt'), { method: 'DELETE', headers: auth })).status).toBe(204);
    await imap.append('INBOX', message('keep me'));
    await imap.append('INBOX', message('throw me away'));
    const lock = await imap.getMailboxLock('INBOX');
    try {
      await imap.messageDelete({ header: { subject: 'throw me away' } });
    } finally {
      lock.release();
    }

    expect(await removed([])).toBe(0); // within the configured grace (a day): a write may still be on its way
    expect(await removed(['--grace-minutes', '0'])).toBe(3);
    expect(await removed(['--grace-minutes', '0'])).toBe(0);

    expect(await (await fetch(file('kept.txt'), { headers: auth })).text()).toBe('second version');
    const lock2 = await imap.getMailboxLock('INBOX');
    try {
      const kept = await imap.fetchOne('*', { source: true, envelope: true });
      expect(kept && kept.envelope?.subject).toBe('keep me');
      expect(kept && kept.source?.toString()).toBe(message('keep me').toString());
    } finally {
      lock2.release();
    }
  }, 180_000);

  it('refuses a grace that is not a whole number of minutes', async () => {
    const wrong = await s.stoa(['blobs', 'collect', '--grace-minutes', 'soon']);
    expect(wrong.code).toBe(2);
    expect(await (await fetch(file('kept.txt'), { headers: auth })).text()).toBe('second version');
  }, 120_000);
}

describe('blob collection on the embedded store', () => collectionSuite(() => ({})));
describeWithServers('blob collection on MongoDB', (mongo) => collectionSuite(() => ({ STOA_STORE_URL: `${mongo().url}/stoa_blobs` })));
