/** smtp.rate_limit_per_hour: a user's messages past the limit get 451 4.7.1; other users are not held back. */
import { FREE_PORT, startServer, type RunningServer } from '../helpers/server.ts';
import { message, PASSWORD, provisionAcme, smtplib, type PyStep } from './setup.ts';

let s: RunningServer;

beforeAll(async () => {
  s = await startServer({ STOA_SMTP_SUBMISSIONS_PORT: FREE_PORT, STOA_SMTP_RATE_LIMIT_PER_HOUR: '3' });
  await provisionAcme(s);
}, 60_000);

afterAll(() => s?.stop());

function sends(user: string, count: number): PyStep[] {
  return [
    ['ehlo'],
    ['login', user, PASSWORD],
    ...Array.from({ length: count }, (_, i): PyStep => ['sendmail', user, ['bob@acme.test'], message(user, 'bob@acme.test', `rate ${i}`)]),
  ];
}

test('the fourth message in an hour is deferred with 451 4.7.1, for that user only', async () => {
  const ann = await smtplib(s.ports.STOA_SMTP_SUBMISSIONS_PORT!, 'ssl', sends('ann@acme.test', 4));
  expect(ann.slice(2, 5).map((r) => r.code)).toEqual([250, 250, 250]);
  expect(ann[5]).toMatchObject({ code: 451 });
  expect(ann[5]!.text).toMatch(/^4\.7\.1 /);
  const bob = await smtplib(s.ports.STOA_SMTP_SUBMISSIONS_PORT!, 'ssl', sends('bob@acme.test', 1));
  expect(bob[2]).toEqual({ code: 250, refused: {} });
});
