import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Directory } from '../directory/index.ts';
import { DirectoryError } from '../directory/errors.ts';
import type { TenantRecord, UserRecord } from '../store/ports/index.ts';
import { ScimError } from './errors.ts';
import { groupInput, scimGroup } from './groups.ts';
import { listGroups, listUsers, pageParams } from './list.ts';
import { applyPatch, PATCH_OP_URN, validateResource } from './patch.ts';
import { attributeList, project } from './projection.ts';
import { errorBody, sendScim } from './reply.ts';
import { GROUP_SCHEMAS, USER_SCHEMAS } from './schema.ts';
import { discoveryRoutes } from './discovery.ts';
import { LIST_URN } from './urns.ts';
import { etagOf, scimUser, userInput } from './users.ts';

declare module 'fastify' {
  interface FastifyRequest {
    scimTenant?: TenantRecord;
  }
}

type Params = { tenant: string; id: string };
type Req = FastifyRequest<{ Params: Params; Querystring: Record<string, string> }>;

const PATCH_RETRIES = 5;
const MAX_BODY = 1024 * 1024;

export function baseUrl(request: FastifyRequest, slug: string): string {
  return `${request.protocol}://${request.host}/${slug}/scim/v2`;
}

/** An If-Match header as a version; a weak or strong `"n"` both count. */
function ifMatch(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (!header || header === '*') return undefined;
  const match = /^(?:W\/)?"(\d+)"$/.exec(header.trim());
  if (!match) throw new ScimError(412, undefined, 'If-Match does not name a version of this resource');
  return Number(match[1]);
}

function body(request: FastifyRequest): Record<string, unknown> {
  const value = request.body;
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ScimError(400, 'invalidSyntax', 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

function patchOperations(request: FastifyRequest): unknown[] {
  const patch = body(request);
  const schemas = Array.isArray(patch.schemas) ? patch.schemas : [];
  if (!schemas.includes(PATCH_OP_URN)) throw new ScimError(400, 'invalidSyntax', `a PATCH body must name ${PATCH_OP_URN}`);
  const ops = patch.Operations ?? patch.operations;
  if (!Array.isArray(ops) || !ops.length) throw new ScimError(400, 'invalidSyntax', 'Operations must be a non-empty array');
  return ops;
}

/** Relative PATCH operations are replayed on a fresh read when someone else wrote in between. */
async function retryOnConflict<T>(explicitVersion: boolean, attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (explicitVersion || !(err instanceof DirectoryError) || err.code !== 'versionMismatch' || i >= PATCH_RETRIES) throw err;
    }
  }
}

/** SCIM 2.0 at `/{tenant}/scim/v2/`: the tenant's bearer token, and nothing of another tenant. */
export function scimRoutes(directory: Directory) {
  return async (app: FastifyInstance) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(['application/scim+json', 'application/json'], { parseAs: 'string', bodyLimit: MAX_BODY }, (_req, text, done) => {
      try {
        done(null, text === '' ? undefined : JSON.parse(text as string));
      } catch {
        done(new ScimError(400, 'invalidSyntax', 'the body is not valid JSON'), undefined);
      }
    });
    app.setErrorHandler((err, request, reply) => {
      const { status, body: errBody } = errorBody(err);
      if (status >= 500) request.log.error({ err }, 'SCIM request failed');
      if (status === 503) reply.header('retry-after', '5');
      return sendScim(reply, status, errBody);
    });
    app.setNotFoundHandler((_request, reply) => sendScim(reply, 404, errorBody(new ScimError(404, undefined, 'no such endpoint')).body));

    await app.register(async (scim) => {
      scim.addHook('onRequest', async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
        const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
        const tenant = match?.[1] ? await directory.tenants.tenantOfScimToken(match[1]) : null;
        if (!tenant) {
          reply.header('www-authenticate', 'Bearer realm="scim"');
          throw new ScimError(401, undefined, 'a valid SCIM bearer token is required');
        }
        // Another tenant's path answers as if it did not exist, so existence does not leak.
        if (tenant.slug !== request.params.tenant.toLowerCase()) throw new ScimError(404, undefined, 'no such endpoint');
        request.scimTenant = tenant;
      });

      discoveryRoutes(scim);
      userRoutes(scim, directory);
      groupRoutes(scim, directory);
    }, { prefix: '/:tenant/scim/v2' });
  };
}

function tenantOf(request: FastifyRequest): TenantRecord {
  return request.scimTenant!;
}

function userRoutes(app: FastifyInstance, directory: Directory): void {
  const render = async (request: FastifyRequest, user: UserRecord) => {
    const tenant = tenantOf(request);
    const groups = await directory.groups.find(tenant.id, { memberId: user.id }, { offset: 0, limit: 1000 });
    return scimUser(user, baseUrl(request, tenant.slug), groups.items);
  };
  const respond = async (request: Req, reply: FastifyReply, status: number, user: UserRecord) => {
    const resource = await render(request, user);
    reply.header('etag', etagOf(user.version));
    if (status === 201) reply.header('location', (resource.meta as { location: string }).location);
    return sendScim(reply, status, project(resource, attributeList(request.query.attributes), attributeList(request.query.excludedAttributes)));
  };

  app.get('/Users', async (request: Req, reply) => {
    const tenant = tenantOf(request);
    const page = pageParams(request.query);
    const { total, items } = await listUsers(directory, tenant, request.query.filter, page, baseUrl(request, tenant.slug));
    const resources = await Promise.all(items.map((u) => render(request, u)));
    return sendScim(reply, 200, {
      schemas: [LIST_URN], totalResults: total, startIndex: page.startIndex, itemsPerPage: resources.length,
      Resources: resources.map((r) => project(r, attributeList(request.query.attributes), attributeList(request.query.excludedAttributes))),
    });
  });

  app.post('/Users', async (request: Req, reply) => {
    const tenant = tenantOf(request);
    const resource = validateResource(body(request), USER_SCHEMAS, 'create');
    const user = await directory.users.create(tenant.id, userInput(resource), { ssoOnly: Boolean(tenant.settings.oauth ?? tenant.settings.oidc) });
    return respond(request, reply, 201, user);
  });

  app.get('/Users/:id', async (request: Req, reply) => respond(request, reply, 200, await directory.users.require(tenantOf(request).id, request.params.id)));

  app.put('/Users/:id', async (request: Req, reply) => {
    const tenant = tenantOf(request);
    const resource = validateResource(body(request), USER_SCHEMAS, 'replace');
    const user = await directory.users.replace(tenant.id, request.params.id, userInput(resource), ifMatch(request));
    return respond(request, reply, 200, user);
  });

  app.patch('/Users/:id', async (request: Req, reply) => {
    const tenant = tenantOf(request);
    const operations = patchOperations(request);
    const expected = ifMatch(request);
    const user = await retryOnConflict(expected !== undefined, async () => {
      const current = await directory.users.require(tenant.id, request.params.id);
      if (expected !== undefined && expected !== current.version) throw new DirectoryError('versionMismatch', 'the user was changed since it was read');
      const patched = applyPatch(scimUser(current, baseUrl(request, tenant.slug), []), operations, USER_SCHEMAS);
      const resource = validateResource(patched, USER_SCHEMAS, 'replace');
      return directory.users.replace(tenant.id, current.id, userInput(resource), current.version);
    });
    return respond(request, reply, 200, user);
  });

  app.delete('/Users/:id', async (request: Req, reply) => {
    const tenant = tenantOf(request);
    const expected = ifMatch(request);
    const current = await directory.users.require(tenant.id, request.params.id);
    if (expected !== undefined && expected !== current.version) throw new DirectoryError('versionMismatch', 'the user was changed since it was read');
    await directory.deprovision(tenant.id, current.id);
    return reply.code(204).send();
  });
}

function groupRoutes(app: FastifyInstance, directory: Directory): void {
  const render = async (request: Req, groupId: string) => {
    const tenant = tenantOf(request);
    const group = await directory.groups.require(tenant.id, groupId);
    return renderGroup(request, group);
  };
  const renderGroup = async (request: Req, group: Awaited<ReturnType<Directory['groups']['require']>>) => {
    const tenant = tenantOf(request);
    const excluded = attributeList(request.query.excludedAttributes).map((a) => a.toLowerCase());
    const users = excluded.includes('members') ? null : new Map(
      (await Promise.all(group.members.map((id) => directory.users.get(tenant.id, id)))).filter((u): u is UserRecord => u !== null).map((u) => [u.id, u]),
    );
    return scimGroup(group, baseUrl(request, tenant.slug), users);
  };
  const respond = async (request: Req, reply: FastifyReply, status: number, groupId: string) => {
    const resource = await render(request, groupId);
    reply.header('etag', (resource.meta as { version: string }).version);
    if (status === 201) reply.header('location', (resource.meta as { location: string }).location);
    return sendScim(reply, status, project(resource, attributeList(request.query.attributes), attributeList(request.query.excludedAttributes)));
  };

  app.get('/Groups', async (request: Req, reply) => {
    const tenant = tenantOf(request);
    const page = pageParams(request.query);
    const { total, items } = await listGroups(directory, tenant, request.query.filter, page, baseUrl(request, tenant.slug));
    const resources = await Promise.all(items.map((g) => renderGroup(request, g)));
    return sendScim(reply, 200, {
      schemas: [LIST_URN], totalResults: total, startIndex: page.startIndex, itemsPerPage: resources.length,
      Resources: resources.map((r) => project(r, attributeList(request.query.attributes), attributeList(request.query.excludedAttributes))),
    });
  });

  app.post('/Groups', async (request: Req, reply) => {
    const tenant = tenantOf(request);
    const resource = validateResource(body(request), GROUP_SCHEMAS, 'create');
    const group = await directory.groups.create(tenant.id, groupInput(resource));
    return respond(request, reply, 201, group.id);
  });

  app.get('/Groups/:id', async (request: Req, reply) => respond(request, reply, 200, request.params.id));

  app.put('/Groups/:id', async (request: Req, reply) => {
    const tenant = tenantOf(request);
    const resource = validateResource(body(request), GROUP_SCHEMAS, 'replace');
    const group = await directory.groups.replace(tenant.id, request.params.id, groupInput(resource), ifMatch(request));
    return respond(request, reply, 200, group.id);
  });

  app.patch('/Groups/:id', async (request: Req, reply) => {
    const tenant = tenantOf(request);
    const operations = patchOperations(request);
    const expected = ifMatch(request);
    const group = await retryOnConflict(expected !== undefined, async () => {
      const current = await directory.groups.require(tenant.id, request.params.id);
      if (expected !== undefined && expected !== current.version) throw new DirectoryError('versionMismatch', 'the group was changed since it was read');
      const members = new Map(current.members.map((id) => [id, null]));
      const patched = applyPatch(scimGroup(current, baseUrl(request, tenant.slug), members), operations, GROUP_SCHEMAS);
      const resource = validateResource(patched, GROUP_SCHEMAS, 'replace');
      return directory.groups.replace(tenant.id, current.id, groupInput(resource), current.version);
    });
    return respond(request, reply, 200, group.id);
  });

  app.delete('/Groups/:id', async (request: Req, reply) => {
    await directory.groups.remove(tenantOf(request).id, request.params.id);
    return reply.code(204).send();
  });
}
