/** smtp.queue_lifetime_seconds: a remote that only ever defers leads to a 4.4.7 bounce once the message is too old. */
import { startServer, type RunningServer } from '../helpers/server.ts';
import { sendAsAnn, startRemoteWorld, type RemoteWorld } from './remote-mx.ts';
import { lastMessage, provisionAcme } from './setup.ts';

let s: RunningServer;
let world: RemoteWorld;

beforeAll(async () => {
  world = await startRemoteWorld({ STOA_SMTP_RETRY_SECONDS: '1', STOA_SMTP_QUEUE_LIFETIME_SECONDS: '3' });
  s = await startServer(world.env);
  await provisionAcme(s);
}, 60_000);

afterAll(async () => {
  await s?.stop();
  await world?.close();
});

test('a message deferred past its lifetime is bounced with the last answer, and not tried again', async () => {
  world.mx.answer = () => [451, '4.2.0 busy, come back later'];
  await sendAsAnn(s, 'slow@remote.test', 'never arrives');
  const bounce = await lastMessage(s, 'ann@acme.test');
  expect(bounce).toContain('Final-Recipient: rfc822; slow@remote.test');
  expect(bounce).toContain('Status: 4.4.7');
  expect(bounce).toMatch(/Diagnostic-Code: smtp; 4\.4\.7 gave up after \d+ attempts; last answer: 451 (4\.3\.0 )?4\.2\.0 busy/);
  const attempts = world.mx.rcpts.length;
  expect(attempts).toBeGreaterThanOrEqual(2);
  await new Promise((r) => setTimeout(r, 2500));
  expect(world.mx.rcpts.length).toBe(attempts);
});
