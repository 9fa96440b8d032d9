/**
 * LOGIN, AUTHENTICATE PLAIN (passwords and app passwords with the imap scope) and AUTHENTICATE
 * XOAUTH2/OAUTHBEARER (bearer tokens, core-patches.ts) through the directory, the one place logins
 * are checked and failures throttled.
 */
import { AuthError } from '../../directory/errors.ts';
import { guard } from '../guard.ts';
import type { Callback, ImapSession, LoginData } from '../imap-core.ts';
import type { HookDeps, ImapUser } from './context.ts';

const BEARER_METHODS = new Set(['XOAUTH2', 'OAUTHBEARER']);

export function onAuth(deps: HookDeps) {
  return (login: LoginData, _session: ImapSession, cb: Callback): void => {
    guard({ hook: 'auth', logger: deps.logger, valid: (a) => a[1] === null || isUser(a[1]) }, cb, async () => {
      try {
        const principal = await deps.directory.auth.authenticate({
          ...(login.username ? { login: login.username } : {}),
          secret: login.password,
          kind: BEARER_METHODS.has(login.method) ? 'bearer' : 'password',
          context: 'imap',
          ip: login.connection.remoteAddress ?? null,
        });
        await deps.mail.ensureDefaults(principal);
        const user: ImapUser = { id: principal.userId, username: principal.address, principal };
        return [null, { user }];
      } catch (err) {
        if (!(err instanceof AuthError)) throw err;
        // null → NO [AUTHENTICATIONFAILED]; an error with `response` is sent as the reply (LOGIN).
        if (err.reason === 'invalid') return [null, null];
        const code = err.reason === 'throttled' ? 'LIMIT' : 'UNAVAILABLE';
        return [Object.assign(new Error(err.message), { response: 'NO', code })];
      }
    });
  };
}

function isUser(value: unknown): boolean {
  const user = (value as { user?: ImapUser } | null)?.user;
  return typeof user?.id === 'string' && typeof user.username === 'string';
}
