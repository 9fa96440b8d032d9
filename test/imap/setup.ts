import type { RunningServer } from '../helpers/server.ts';

/** Tenant `acme` with domain acme.test and the user ann@acme.test with `password`, through the CLI. */
export async function provisionAnn(s: RunningServer, password: string): Promise<void> {
  for (const args of [['tenant', 'add', 'acme', '--name', 'Acme Ltd'], ['domain', 'add', 'acme', 'acme.test']]) {
    const result = await s.stoa(args);
    if (result.code !== 0) throw new Error(result.stderr);
  }
  const user = await s.stoa(['user', 'add', 'ann@acme.test', '--password-stdin'], `${password}\n`);
  if (user.code !== 0) throw new Error(user.stderr);
}
