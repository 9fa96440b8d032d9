import type { FastifyReply } from 'fastify';
import { DirectoryError } from '../directory/errors.ts';
import { StoreUnavailableError } from '../store/ports/index.ts';
import { ERROR_SCHEMA_URN, ScimError } from './errors.ts';

export const SCIM_TYPE = 'application/scim+json; charset=utf-8';

export function sendScim(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type(SCIM_TYPE).send(JSON.stringify(body));
}

const DIRECTORY_STATUS: Record<DirectoryError['code'], [number, string | undefined]> = {
  notFound: [404, undefined],
  invalidValue: [400, 'invalidValue'],
  uniqueness: [409, 'uniqueness'],
  versionMismatch: [412, undefined],
  routeConflict: [400, 'invalidValue'],
};

/** Every failure as the SCIM Error schema, with `status` as a string; internals never leak. */
export function errorBody(err: unknown): { status: number; body: Record<string, unknown> } {
  let status = 500;
  let scimType: string | undefined;
  let detail = 'internal error';
  if (err instanceof ScimError) {
    [status, scimType, detail] = [err.status, err.scimType, err.message];
  } else if (err instanceof DirectoryError) {
    [status, scimType] = DIRECTORY_STATUS[err.code];
    detail = err.message;
  } else if (err instanceof StoreUnavailableError) {
    // The database is out of reach for now: a temporary failure the provider retries.
    [status, detail] = [503, 'the directory is temporarily unavailable, try again'];
  } else if (err instanceof Error && 'statusCode' in err && typeof err.statusCode === 'number' && err.statusCode < 500) {
    // Fastify's own refusals: unsupported media type, body too large, malformed JSON.
    status = err.statusCode;
    detail = err.message;
    if (status === 400) scimType = 'invalidSyntax';
  }
  const body: Record<string, unknown> = { schemas: [ERROR_SCHEMA_URN], status: String(status), detail };
  if (scimType) body.scimType = scimType;
  return { status, body };
}
