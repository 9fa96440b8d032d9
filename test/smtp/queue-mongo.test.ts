/** The outbound queue on the MongoDB adapter (FerretDB): retries, and a queued message survives kill -9. */
import { describeWithServers } from '../helpers/ferretdb.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { sendAsAnn, startRemoteWorld, survivesKill, type RemoteWorld } from './remote-mx.ts';
import { provisionAcme } from './setup.ts';

describeWithServers('SMTP queue', (mongo) => {
  let s: RunningServer;
  let world: RemoteWorld;

  beforeAll(async () => {
    world = await startRemoteWorld({ STOA_STORE_URL: `${mongo().url}/stoa_smtp_queue` });
    s = await startServer(world.env);
    await provisionAcme(s);
  }, 90_000);

  afterAll(async () => {
    await s?.stop();
    await world?.close();
  });

  test('a remote that answers 451 and then 250 gets the message on a retry', async () => {
    world.mx.answer = (rcpt, attempt) => (rcpt === 'flaky@remote.test' && attempt === 1 ? [451, '4.3.0 try again later'] : null);
    await sendAsAnn(s, 'flaky@remote.test', 'retried');
    const got = await world.receivedBy('flaky@remote.test');
    expect(got.message.toString()).toContain('Subject: retried');
    expect(world.mx.rcpts.filter((a) => a === 'flaky@remote.test')).toHaveLength(2);
  });

  test('a queued message survives kill -9 of Stoa and is delivered after the restart', async () => {
    s = await survivesKill(s, world, () => startServer(world.env, s.dataDir));
    expect(world.mx.received.filter((r) => r.to.includes('later@remote.test'))).toHaveLength(1);
  });
});
