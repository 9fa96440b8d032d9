/**
 * The unauthenticated set-up endpoints: Outlook's POX Autodiscover and Autodiscover v2, and
 * Thunderbird's autoconfig. They look up only the domain of an address, never the user, so the
 * answers are the same for every address of a domain and tell nothing about who exists.
 */
import { createHash } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { domainOf, isDomainName, normaliseAddress } from '../directory/addresses.ts';
import type { TenantRecord } from '../store/ports/index.ts';
import { autodiscoverV2 } from './autodiscover-json.ts';
import type { PublicEndpoints } from './endpoints.ts';
import { MAX_REQUEST_BYTES, parsePoxRequest, poxError, type PoxErrorCode, PoxRequestError, poxSettings } from './pox.ts';
import { thunderbirdConfig } from './thunderbird.ts';

/** The part of the directory these endpoints need: domains and their tenants, no users. */
export interface TenantLookup {
  tenants: {
    ofAddress(address: string): Promise<TenantRecord | null>;
    domains(tenantId: string): Promise<string[]>;
  };
}

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, unknown> }>;

const XML = 'application/xml; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

/** `[aA][uU]…`: the router matches paths case-sensitively, and Outlook sends any case. */
function anyCase(word: string): string {
  return word.replace(/[a-z]/gi, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
}

/** A query parameter by name in any case (`Email`, `email`, `EMAIL`). */
function queryValue(query: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const [key, value] of Object.entries(query)) {
    if (!names.includes(key.toLowerCase())) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') return first;
  }
  return undefined;
}

type Kind = 'pox' | 'json' | 'thunderbird';

function kindOf(url: string): Kind {
  const path = url.split('?')[0]!.toLowerCase();
  if (path.startsWith('/autodiscover/autodiscover.json')) return 'json';
  if (path.startsWith('/autodiscover/')) return 'pox';
  return 'thunderbird';
}

export function autoconfigRoutes(directory: TenantLookup, endpoints: PublicEndpoints) {
  // Exchange puts a hash of its server's name in every error; ours is stable per deployment.
  const serverId = String(createHash('sha256').update(endpoints.mailHost).digest().readUInt32BE(0));
  const sendPoxError = (reply: FastifyReply, code: PoxErrorCode, status = 200) =>
    reply.code(status).type(XML).send(poxError(code, new Date(), serverId));
  const tenantOfDomain = (domain: string) => directory.tenants.ofAddress(`postmaster@${domain}`);

  const pox = async (request: Req, reply: FastifyReply) => {
    let address: string | undefined;
    try {
      const body = typeof request.body === 'string' ? request.body : '';
      if (body.trim()) address = parsePoxRequest(body);
      else {
        const fromQuery = queryValue(request.query, 'email', 'emailaddress');
        if (fromQuery && domainOf(fromQuery)) address = normaliseAddress(fromQuery);
      }
    } catch (err) {
      if (err instanceof PoxRequestError) {
        request.log.info({ reason: err.message }, 'autodiscover request refused');
        return sendPoxError(reply, err.code);
      }
      throw err;
    }
    if (!address) return sendPoxError(reply, 600);
    // A domain that is not ours: there is no provider here for it.
    if (!(await directory.tenants.ofAddress(address))) return sendPoxError(reply, 601);
    return reply.type(XML).send(poxSettings(address, endpoints));
  };

  const json = async (request: Req, reply: FastifyReply, address: string | undefined) => {
    const answer = autodiscoverV2(queryValue(request.query, 'protocol'), endpoints);
    if (answer.status !== 200) return reply.code(answer.status).type(JSON_TYPE).send(answer.body);
    // Microsoft documents no error for this; a 404 makes Outlook go on to its next method.
    if (!address || !domainOf(address) || !(await directory.tenants.ofAddress(address))) {
      return reply.code(404).type(JSON_TYPE).send({ ErrorCode: 'NotFound', ErrorMessage: 'No autodiscover information is available for this address' });
    }
    return reply.type(JSON_TYPE).send(answer.body);
  };

  const thunderbird = async (request: Req, reply: FastifyReply) => {
    const given = queryValue(request.query, 'emailaddress');
    // Without an address, the host asked names the domain: autoconfig.example.com or example.com itself.
    const domain = given !== undefined ? domainOf(given) : request.hostname.toLowerCase().replace(/^autoconfig\./, '');
    const tenant = domain && isDomainName(domain) ? await tenantOfDomain(domain) : null;
    if (!domain || !tenant) return reply.code(404).type('text/plain; charset=utf-8').send('no configuration for this domain\n');
    const domains = await directory.tenants.domains(tenant.id);
    return reply.type(XML).send(thunderbirdConfig({ domain, domains, tenantName: tenant.name, tenantSlug: tenant.slug, endpoints }));
  };

  return async (app: FastifyInstance) => {
    app.removeAllContentTypeParsers();
    // Outlook posts text/xml; the limit is enforced while reading, before anything is parsed.
    app.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'string', bodyLimit: MAX_REQUEST_BYTES }, (_req, body, done) => done(null, body));
    app.setErrorHandler((err: FastifyError, request, reply) => {
      const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
      if (status >= 500) request.log.error({ err }, 'set-up request failed');
      const kind = kindOf(request.url);
      // Refusals the client caused keep their HTTP status (413 too large, 415 not XML) but still
      // carry an Autodiscover error body, so an Outlook-style parser reads an answer, not a trace.
      if (kind === 'pox') return sendPoxError(reply, status >= 500 ? 603 : 600, status >= 500 ? 500 : status === 413 || status === 415 ? status : 200);
      if (kind === 'json') return reply.code(status).type(JSON_TYPE).send({ ErrorCode: status >= 500 ? 'InternalServerError' : 'InvalidRequest', ErrorMessage: status >= 500 ? 'Internal error' : 'Invalid request' });
      return reply.code(status).type('text/plain; charset=utf-8').send(status >= 500 ? 'internal error\n' : 'bad request\n');
    });

    // One route for every case of `/autodiscover/…`; the rest of the path is matched below.
    app.route({
      method: ['GET', 'POST'],
      url: `/:autodiscover(^${anyCase('autodiscover')}$)/*`,
      handler: async (request: Req, reply) => {
        const rest = request.params['*'] ?? '';
        const lower = rest.toLowerCase();
        if (lower === 'autodiscover.xml') return pox(request, reply);
        if (lower === 'autodiscover.json') return json(request, reply, queryValue(request.query, 'email'));
        const v2 = /^autodiscover\.json\/v1\.0\/([^/]+)$/i.exec(rest);
        if (v2) return json(request, reply, v2[1]);
        return reply.callNotFound();
      },
    });
    app.get('/mail/config-v1.1.xml', thunderbird);
    app.get('/.well-known/autoconfig/mail/config-v1.1.xml', thunderbird);
  };
}
