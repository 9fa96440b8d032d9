/**
 * Account sessions across processes on one MongoDB-compatible database (FerretDB): the cookie key
 * and the sessions live in the store's key-value, so a session made on A works on B, and signing
 * out on B ends it on A.
 */
import { describeWithServers } from '../helpers/ferretdb.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { ANN, provisionAnnAndBob } from './setup.ts';
import { csrfOf, Visitor } from './visitor.ts';

describeWithServers('account sessions on two processes', (mongo) => {
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    const url = `${mongo().url}/stoa_account`;
    a = await startServer({ STOA_STORE_URL: url });
    b = await startServer({ STOA_STORE_URL: url });
    await provisionAnnAndBob(a);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  test('signed in on A, served by B; an app password made on B is listed on A; signed out on B, A refuses the cookie', async () => {
    const onA = new Visitor(a.http);
    expect((await onA.signIn(ANN.address, ANN.password)).status).toBe(303);
    const onB = new Visitor(b.http);
    for (const [name, value] of onA.cookies) onB.cookies.set(name, value);

    const homeB = await onB.get('/account');
    expect(homeB.status).toBe(200);
    expect((await onB.post('/account/app-passwords', { label: 'made on B', scopes: 'imap', csrf: csrfOf(homeB.body) })).status).toBe(200);
    expect((await onA.get('/account')).body).toContain('<td>made on B</td>');

    expect((await onB.post('/account/logout', { csrf: csrfOf(homeB.body) })).status).toBe(303);
    const after = await onA.get('/account');
    expect({ status: after.status, location: after.location }).toEqual({ status: 303, location: '/account/login' });
  });
});
