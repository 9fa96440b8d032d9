import type { RunningServer } from '../helpers/server.ts';

/** Tenant `acme` with domain acme.test and the user ann@acme.test with `password`, through the CLI. */
export async function provisionAnn(s: RunningServer, password: string): Promise<void> {
  await s.stoaOk(['tenant', 'add', 'acme', '--name', 'Acme Ltd']);
  await s.stoaOk(['domain', 'add', 'acme', 'acme.test']);
  await s.stoaOk(['user', 'add', 'ann@acme.test', '--password-stdin'], `${password}\n`);
}
