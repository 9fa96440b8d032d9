import { dnsRecords } from '../autoconfig/dns.ts';
import type { PublicEndpoints } from '../autoconfig/endpoints.ts';
import { oidcRedirectUrl } from '../autoconfig/services.ts';
import { parseScopes } from '../directory/credentials.ts';
import { DirectoryError } from '../directory/errors.ts';
import type { Directory } from '../directory/index.ts';
import { createDkimKey, dkimKey, dkimRecord } from '../smtp/dkim.ts';
import type { KeyValue } from '../store/ports/index.ts';
import { readSecretFromStdin, UsageError } from './io.ts';

export interface CommandContext {
  directory: Directory;
  endpoints: PublicEndpoints;
  kv: KeyValue;
  /** Removes blobs nothing refers to that went unused for `graceMs`; how many. */
  collectBlobs(graceMs: number): Promise<number>;
  /** The configured grace (store.blob_grace_hours). */
  blobGraceMs: number;
  print(line: string): void;
}

interface Parsed {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

export interface Command {
  usage: string;
  run(ctx: CommandContext, args: Parsed): Promise<void>;
}

function arg(args: Parsed, index: number, name: string): string {
  const value = args.positionals[index];
  if (!value) throw new UsageError(`missing <${name}>`);
  return value;
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(text.trim());
  const bytes = match ? Math.round(Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]!) : NaN;
  if (!Number.isSafeInteger(bytes)) throw new UsageError(`"${text}" is not a size (say e.g. 500M, 5G or default)`);
  return bytes;
}

function option(args: Parsed, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

async function tenantOf(ctx: CommandContext, address: string) {
  const tenant = await ctx.directory.tenants.ofAddress(address);
  if (!tenant) throw new DirectoryError('notFound', `no tenant owns the domain of ${address}: add it with "stoa domain add <tenant> <domain>"`);
  return tenant;
}

/** A tenant's identity provider setting: set from the options, or turned off with --clear. */
function tenantSetting(
  usage: string,
  clear: (ctx: CommandContext, slug: string) => Promise<unknown>,
  cleared: string,
  set: (ctx: CommandContext, slug: string, args: Parsed) => Promise<void>,
): Command {
  return {
    usage,
    async run(ctx, args) {
      const slug = arg(args, 0, 'tenant');
      if (!args.values.clear) return set(ctx, slug, args);
      await clear(ctx, slug);
      ctx.print(`tenant ${slug}: ${cleared}`);
    },
  };
}

/** Keyed by the words that name them; `usage` is what `stoa help` prints. */
export const COMMANDS: Record<string, Command> = {
  'tenant add': {
    usage: 'tenant add <tenant> [--name "Display name"]',
    async run(ctx, args) {
      const tenant = await ctx.directory.tenants.add(arg(args, 0, 'tenant'), option(args, 'name'));
      ctx.print(`tenant ${tenant.slug} added (${tenant.id})`);
    },
  },
  'tenant list': {
    usage: 'tenant list',
    async run(ctx) {
      for (const t of await ctx.directory.tenants.list()) {
        ctx.print(`${t.slug}\t${t.name}\t${(await ctx.directory.tenants.domains(t.id)).join(',')}`);
      }
    },
  },
  'tenant oauth': tenantSetting(
    'tenant oauth <tenant> --issuer URL --audience AUD --jwks URL | --clear',
    (ctx, slug) => ctx.directory.tenants.setOAuth(slug, null),
    'OAuth bearer tokens turned off',
    async (ctx, slug, args) => {
      const [issuer, audience, jwksUrl] = [option(args, 'issuer'), option(args, 'audience'), option(args, 'jwks')];
      if (!issuer || !audience || !jwksUrl) throw new UsageError('--issuer, --audience and --jwks are all needed');
      await ctx.directory.tenants.setOAuth(slug, { issuer, audience, jwksUrl });
      ctx.print(`tenant ${slug}: bearer tokens from ${issuer} accepted`);
    },
  ),
  'tenant oidc': tenantSetting(
    'tenant oidc <tenant> --issuer URL --client-id ID [--client-secret-stdin] | --clear   (account page sign-in)',
    (ctx, slug) => ctx.directory.tenants.setOidc(slug, null),
    'OpenID Connect sign-in turned off',
    async (ctx, slug, args) => {
      const [issuer, clientId] = [option(args, 'issuer'), option(args, 'client-id')];
      if (!issuer || !clientId) throw new UsageError('--issuer and --client-id are both needed');
      if (!URL.canParse(issuer) || new URL(issuer).protocol !== 'https:') throw new UsageError('--issuer must be an https URL');
      const clientSecret = args.values['client-secret-stdin'] ? await readSecretFromStdin() : undefined;
      await ctx.directory.tenants.setOidc(slug, clientSecret ? { issuer, clientId, clientSecret } : { issuer, clientId });
      ctx.print(`tenant ${slug}: account page sign-in through ${issuer}; register this redirect URI there: ${oidcRedirectUrl(ctx.endpoints)}`);
    },
  ),
  'domain add': {
    usage: 'domain add <tenant> <domain>',
    async run(ctx, args) {
      const [slug, domain] = [arg(args, 0, 'tenant'), arg(args, 1, 'domain')];
      await ctx.directory.tenants.addDomain(slug, domain);
      ctx.print(`domain ${domain.toLowerCase()} added to ${slug}; publish its records: stoa dns ${domain.toLowerCase()}`);
    },
  },
  'user add': {
    usage: 'user add <email> [--name "Full Name"] [--password-stdin] [--sso-only]',
    async run(ctx, args) {
      const email = arg(args, 0, 'email');
      const tenant = await tenantOf(ctx, email);
      const password = args.values['password-stdin'] ? await readSecretFromStdin() : undefined;
      const name = option(args, 'name');
      const user = await ctx.directory.users.create(tenant.id, {
        userName: email,
        displayName: name ?? null,
        password,
        ssoOnly: Boolean(args.values['sso-only']),
        scim: { userName: email.toLowerCase(), ...(name ? { displayName: name } : {}), emails: [{ value: email.toLowerCase(), type: 'work', primary: true }] },
      });
      ctx.print(`user ${user.userName} added to ${tenant.slug} (${user.id})`);
    },
  },
  'user passwd': {
    usage: 'user passwd <email>   (the new password on standard input)',
    async run(ctx, args) {
      const email = arg(args, 0, 'email');
      await ctx.directory.users.setPassword(email, await readSecretFromStdin());
      ctx.print(`password of ${email.toLowerCase()} set`);
    },
  },
  'user sso': {
    usage: 'user sso <email> on|off   (on: the bare password no longer works on IMAP/SMTP/DAV)',
    async run(ctx, args) {
      const [email, state] = [arg(args, 0, 'email'), arg(args, 1, 'on|off')];
      if (state !== 'on' && state !== 'off') throw new UsageError('say on or off');
      await ctx.directory.users.setSsoOnly(email, state === 'on');
      ctx.print(`${email.toLowerCase()}: SSO-only ${state}`);
    },
  },
  'user quota': {
    usage: 'user quota <email> <size>|default   (size in bytes or with K, M, G, T: 1024-based; 0 = no limit)',
    async run(ctx, args) {
      const [email, size] = [arg(args, 0, 'email'), arg(args, 1, 'size')];
      const bytes = size === 'default' ? null : parseSize(size);
      await ctx.directory.users.setQuota(email, bytes);
      ctx.print(`${email.toLowerCase()}: quota ${bytes === null ? 'the configured default' : bytes === 0 ? 'none' : `${bytes} bytes`}`);
    },
  },
  'alias add': {
    usage: 'alias add <email> <alias>',
    async run(ctx, args) {
      const [email, alias] = [arg(args, 0, 'email'), arg(args, 1, 'alias')];
      await ctx.directory.users.addAlias(email, alias);
      ctx.print(`${alias.toLowerCase()} now delivers to ${email.toLowerCase()}`);
    },
  },
  'apppass add': {
    usage: 'apppass add <email> <label> [--scope imap,smtp,dav]   (prints the password once, on the last line)',
    async run(ctx, args) {
      const [email, label] = [arg(args, 0, 'email'), arg(args, 1, 'label')];
      const scope = option(args, 'scope');
      const { record, secret } = await ctx.directory.appPasswords.create(email, label, scope ? parseScopes(scope) : undefined);
      ctx.print(`app password ${record.id} "${record.label}" for ${email.toLowerCase()}, scopes ${record.scopes.join(',')}; it is shown only now:`);
      ctx.print(secret);
    },
  },
  'apppass list': {
    usage: 'apppass list <email>',
    async run(ctx, args) {
      for (const p of await ctx.directory.appPasswords.list(arg(args, 0, 'email'))) {
        const state = p.revokedAt ? `revoked ${p.revokedAt}` : `last used ${p.lastUsedAt ?? 'never'}${p.lastUsedIp ? ` from ${p.lastUsedIp}` : ''}`;
        ctx.print(`${p.id}\t${p.label}\t${p.scopes.join(',')}\tcreated ${p.createdAt}\t${state}`);
      }
    },
  },
  'apppass revoke': {
    usage: 'apppass revoke <email> <id>',
    async run(ctx, args) {
      const [email, id] = [arg(args, 0, 'email'), arg(args, 1, 'id')];
      await ctx.directory.appPasswords.revoke(email, id);
      ctx.print(`app password ${id} revoked`);
    },
  },
  'scim-token': {
    usage: 'scim-token <tenant>   (prints a new SCIM bearer token on the last line)',
    async run(ctx, args) {
      const slug = arg(args, 0, 'tenant');
      const token = await ctx.directory.tenants.mintScimToken(slug);
      ctx.print(`SCIM endpoint: https://${ctx.endpoints.apiHost}${ctx.endpoints.httpsPort === 443 ? '' : `:${ctx.endpoints.httpsPort}`}/${slug.toLowerCase()}/scim/v2/ ; the token is shown only now:`);
      ctx.print(token);
    },
  },
  dns: {
    usage: 'dns <domain>   (the records to publish for a domain)',
    async run(ctx, args) {
      const domain = arg(args, 0, 'domain').toLowerCase();
      const tenant = await tenantOf(ctx, `postmaster@${domain}`);
      for (const line of dnsRecords(domain, tenant.slug, ctx.endpoints)) ctx.print(line);
      const dkim = await dkimKey(ctx.kv, domain);
      if (dkim) ctx.print(dkimRecord(dkim));
    },
  },
  'dkim add': {
    usage: 'dkim add <domain> [--selector NAME]   (a new DKIM key for outgoing mail; prints its TXT record)',
    async run(ctx, args) {
      const domain = arg(args, 0, 'domain').toLowerCase();
      await tenantOf(ctx, `postmaster@${domain}`);
      const key = await createDkimKey(ctx.kv, domain, option(args, 'selector') ?? 'stoa');
      ctx.print(`DKIM key for ${domain} created; publish this record, then mail from ${domain} is signed with it:`);
      ctx.print(dkimRecord(key));
    },
  },
  'blobs collect': {
    usage: 'blobs collect [--grace-minutes N]   (removes stored bytes nothing refers to, unused for N minutes; default store.blob_grace_hours)',
    async run(ctx, args) {
      const grace = option(args, 'grace-minutes');
      if (grace !== undefined && !/^\d+$/.test(grace)) throw new UsageError('--grace-minutes takes a whole number');
      const removed = await ctx.collectBlobs(grace === undefined ? ctx.blobGraceMs : Number(grace) * 60_000);
      ctx.print(`${removed} unreferenced blob${removed === 1 ? '' : 's'} removed`);
    },
  },
};
