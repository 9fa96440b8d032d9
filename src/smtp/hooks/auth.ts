/** AUTH PLAIN, LOGIN and XOAUTH2 through the directory; smtp-server offers AUTH only after TLS. */
import type { SMTPServerAuthentication, SMTPServerAuthenticationResponse, SMTPServerSession } from 'smtp-server';
import { AuthError } from '../../directory/errors.ts';
import type { HookDeps } from '../context.ts';
import { replies } from '../replies.ts';
import { settle } from './settle.ts';

export function onAuth(deps: HookDeps) {
  return (auth: SMTPServerAuthentication, session: SMTPServerSession, cb: (err: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void): void => {
    settle(deps.logger, 'auth', cb, async () => {
      const bearer = auth.method === 'XOAUTH2';
      try {
        const principal = await deps.directory.auth.authenticate({
          login: auth.username, secret: (bearer ? auth.accessToken : auth.password) ?? '', kind: bearer ? 'bearer' : 'password',
          context: 'smtp', ip: session.remoteAddress,
        });
        return { user: principal };
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        throw error.reason === 'invalid' ? replies.authFailed() : replies.throttled();
      }
    });
  };
}
