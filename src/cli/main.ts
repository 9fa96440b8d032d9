/** `stoa …`: the admin CLI. It opens the same store as the server and may run while it does. */
import { parseArgs } from 'node:util';
import { publicEndpoints } from '../autoconfig/endpoints.ts';
import { ConfigError, loadConfig } from '../config/load.ts';
import { DirectoryError } from '../directory/errors.ts';
import { createDirectory } from '../directory/index.ts';
import { directorySettings } from '../directory/settings.ts';
import { collectBlobs } from '../store/collect-blobs.ts';
import { openStore } from '../store/open.ts';
import { COMMANDS } from './commands.ts';
import { UsageError } from './io.ts';

function help(): string {
  return ['usage: stoa <command>', ...Object.values(COMMANDS).map((c) => `  stoa ${c.usage}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' }, scope: { type: 'string' }, issuer: { type: 'string' }, audience: { type: 'string' },
      jwks: { type: 'string' }, selector: { type: 'string' }, clear: { type: 'boolean' }, 'password-stdin': { type: 'boolean' }, 'sso-only': { type: 'boolean' },
      'client-id': { type: 'string' }, 'client-secret-stdin': { type: 'boolean' }, 'grace-minutes': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const two = positionals.slice(0, 2).join(' ');
  const [name, skip] = COMMANDS[two] ? [two, 2] : [positionals[0] ?? '', 1];
  const command = COMMANDS[name];
  if (!command || values.help) {
    process.stdout.write(`${help()}\n`);
    return command || values.help ? 0 : 2;
  }
  const config = loadConfig();
  const store = await openStore(config);
  try {
    const directory = await createDirectory(store, directorySettings(config));
    await command.run({ directory, endpoints: publicEndpoints(config), kv: store.kv, collectBlobs: (graceMs) => collectBlobs(store, graceMs), blobGraceMs: config.store.blob_grace_hours * 3_600_000, print: (line) => process.stdout.write(`${line}\n`) }, { positionals: positionals.slice(skip), values });
    return 0;
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const known = err instanceof UsageError || err instanceof DirectoryError || err instanceof ConfigError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'));
    process.stderr.write(`stoa: ${known ? (err as Error).message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    if (err instanceof UsageError) process.stderr.write(`${help()}\n`);
    process.exit(known ? 2 : 1);
  },
);
