import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ScimError } from './errors.ts';
import { sendScim } from './reply.ts';
import { resourceTypeResources, schemaResource, schemaResources } from './schema.ts';
import { LIST_URN, SPC_URN } from './urns.ts';
import { MAX_COUNT } from './list.ts';

type Req = FastifyRequest<{ Params: { tenant: string; id: string } }>;

function base(request: FastifyRequest): string {
  const tenant = (request.params as { tenant: string }).tenant.toLowerCase();
  return `${request.protocol}://${request.host}/${tenant}/scim/v2`;
}

function list(resources: Record<string, unknown>[]) {
  return { schemas: [LIST_URN], totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length, Resources: resources };
}

/** What a provider reads to learn what this server supports (RFC 7644 §4). */
export function discoveryRoutes(app: FastifyInstance): void {
  app.get('/ServiceProviderConfig', async (request, reply) => sendScim(reply, 200, {
    schemas: [SPC_URN],
    documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_COUNT },
    changePassword: { supported: true },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [{ type: 'oauthbearertoken', name: 'OAuth Bearer Token', description: 'The tenant\'s SCIM token from `stoa scim-token`', primary: true }],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base(request)}/ServiceProviderConfig` },
  }));

  app.get('/ResourceTypes', async (request, reply) => sendScim(reply, 200, list(resourceTypeResources(base(request)))));
  app.get('/ResourceTypes/:id', async (request: Req, reply) => {
    const found = resourceTypeResources(base(request)).find((r) => String(r.id).toLowerCase() === request.params.id.toLowerCase());
    if (!found) throw new ScimError(404, undefined, `no resource type ${request.params.id}`);
    return sendScim(reply, 200, found);
  });

  app.get('/Schemas', async (request, reply) => sendScim(reply, 200, list(schemaResources(base(request)))));
  app.get('/Schemas/:id', async (request: Req, reply) => {
    const found = schemaResource(request.params.id, base(request));
    if (!found) throw new ScimError(404, undefined, `no schema ${request.params.id}`);
    return sendScim(reply, 200, found);
  });
}
