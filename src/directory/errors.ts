import { ConflictError, VersionConflictError } from '../store/ports/index.ts';

/** Domain errors of the directory; each front maps `code` onto its own protocol's answer. */
export type DirectoryErrorCode =
  | 'notFound'
  | 'invalidValue'
  | 'uniqueness'
  | 'versionMismatch'
  | 'routeConflict';

export class DirectoryError extends Error {
  readonly code: DirectoryErrorCode;
  constructor(code: DirectoryErrorCode, message: string) {
    super(message);
    this.name = 'DirectoryError';
    this.code = code;
  }
}

export type AuthFailure = 'invalid' | 'throttled' | 'unavailable';

/** A refused login. The message never says whether the login exists. */
export class AuthError extends Error {
  readonly reason: AuthFailure;
  /** Seconds the client should wait, when throttled. */
  readonly retryAfter: number;
  constructor(reason: AuthFailure, retryAfter = 0) {
    super(reason === 'throttled' ? 'too many failed logins, try again later' : 'authentication failed');
    this.name = 'AuthError';
    this.reason = reason;
    this.retryAfter = retryAfter;
  }
}

/** Runs a store write, turning the store's uniqueness and version errors into directory errors. */
export async function writeTranslated(write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (err instanceof ConflictError) throw new DirectoryError('uniqueness', `${err.field} is already in use`);
    if (err instanceof VersionConflictError) throw new DirectoryError('versionMismatch', err.message);
    throw err;
  }
}
