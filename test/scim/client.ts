/**
 * A small SCIM 2.0 client over Node's `fetch` (real sockets) for the end-to-end SCIM suites, and
 * the assertions they share. Every failing assertion names the exact request and the answer, so
 * a red test reads as a bug report.
 */
import type { RunningServer } from '../helpers/server.ts';

export const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SPC_URN = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const RESOURCE_TYPE_URN = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SCHEMA_URN = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

/** `application/scim+json`, with or without parameters such as a charset. */
export const SCIM_CONTENT_TYPE = /^application\/scim\+json\s*(;.*)?$/i;

/**
 * A parsed response body. Bodies are arbitrary JSON that each test reads freely and checks with
 * `expect`, so they are typed loosely on purpose.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface ScimResponse {
  method: string;
  url: string;
  requestBody: string | undefined;
  status: number;
  headers: Headers;
  contentType: string;
  text: string;
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  body: Json;
}

export interface RequestOptions {
  /** A raw body sent as is (for malformed JSON); otherwise `json` is serialised. */
  raw?: string;
  json?: unknown;
  headers?: Record<string, string>;
  /** Overrides the client's token; null sends no Authorization header at all. */
  token?: string | null;
}

/** One line per exchange, for failure messages. */
export function describeExchange(res: ScimResponse): string {
  const request = `${res.method} ${res.url}${res.requestBody === undefined ? '' : `\n  request body: ${res.requestBody}`}`;
  return `${request}\n  → ${res.status} ${res.contentType}\n  response body: ${res.text || '(empty)'}`;
}

export class ScimClient {
  readonly base: string;
  readonly token: string;

  constructor(base: string, token: string) {
    this.base = base;
    this.token = token;
  }

  /** Same tenant base, another token (or none). */
  withToken(token: string): ScimClient {
    return new ScimClient(this.base, token);
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<ScimResponse> {
    const url = path.startsWith('http') ? path : `${this.base}${path}`;
    const headers: Record<string, string> = { Accept: 'application/scim+json', ...options.headers };
    const token = options.token === undefined ? this.token : options.token;
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    let requestBody: string | undefined;
    if (options.raw !== undefined) requestBody = options.raw;
    else if (options.json !== undefined) requestBody = JSON.stringify(options.json);
    if (requestBody !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/scim+json';
    }
    const response = await fetch(url, { method, headers, body: requestBody });
    const text = await response.text();
    let body: Json;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { method, url, requestBody, status: response.status, headers: response.headers, contentType: response.headers.get('content-type') ?? '', text, body };
  }

  get(path: string, options?: RequestOptions): Promise<ScimResponse> {
    return this.request('GET', path, options);
  }

  post(path: string, json: unknown, options?: RequestOptions): Promise<ScimResponse> {
    return this.request('POST', path, { ...options, json });
  }

  put(path: string, json: unknown, options?: RequestOptions): Promise<ScimResponse> {
    return this.request('PUT', path, { ...options, json });
  }

  patch(path: string, operations: unknown[], options?: RequestOptions): Promise<ScimResponse> {
    return this.request('PATCH', path, { ...options, json: { schemas: [PATCH_URN], Operations: operations } });
  }

  delete(path: string, options?: RequestOptions): Promise<ScimResponse> {
    return this.request('DELETE', path, options);
  }

  /** GET /Users (or another list) with the query parameters URL-encoded the way fetch's URLSearchParams does. */
  list(resource: string, query: Record<string, string | number> = {}): Promise<ScimResponse> {
    const params = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
    const qs = params.toString();
    return this.get(`/${resource}${qs ? `?${qs}` : ''}`);
  }
}

/** Fails with the whole exchange when the status is not the expected one. */
export function expectStatus(res: ScimResponse, status: number | number[]): void {
  const allowed = Array.isArray(status) ? status : [status];
  if (!allowed.includes(res.status)) {
    throw new Error(`expected HTTP ${allowed.join(' or ')}\n${describeExchange(res)}`);
  }
  expect(allowed).toContain(res.status);
}

/** A successful SCIM answer with a body: the status and the media type. */
export function expectScim(res: ScimResponse, status: number | number[]): Json {
  expectStatus(res, status);
  if (!SCIM_CONTENT_TYPE.test(res.contentType)) {
    throw new Error(`expected Content-Type application/scim+json\n${describeExchange(res)}`);
  }
  expect(res.contentType).toMatch(SCIM_CONTENT_TYPE);
  return res.body;
}

/**
 * An RFC 7644 §3.12 error: the status, the media type, the Error schema, `status` as a string, and
 * the scimType when one is given (`null` means "whatever, or none").
 */
export function expectScimError(res: ScimResponse, status: number, scimType: string | null = null): void {
  const seen = {
    status: res.status,
    contentType: res.contentType,
    schemas: res.body?.schemas,
    statusField: res.body?.status,
    ...(scimType === null ? {} : { scimType: res.body?.scimType }),
  };
  const wanted = {
    status,
    contentType: expect.stringMatching(SCIM_CONTENT_TYPE),
    schemas: expect.arrayContaining([ERROR_URN]),
    statusField: String(status),
    ...(scimType === null ? {} : { scimType }),
  };
  try {
    expect(seen).toEqual(wanted);
  } catch {
    throw new Error(`expected SCIM error ${status}${scimType ? ` ${scimType}` : ''} (status as the string "${status}")\n${describeExchange(res)}`);
  }
  expect(typeof res.body.status).toBe('string');
}

/** A ListResponse: the schema, totalResults, and Resources (absent is accepted only for none). */
export function expectList(res: ScimResponse): { total: number; resources: Json[]; body: Json } {
  const body = expectScim(res, 200);
  if (!body || !Array.isArray(body.schemas) || !body.schemas.includes(LIST_URN) || typeof body.totalResults !== 'number') {
    throw new Error(`expected a ListResponse\n${describeExchange(res)}`);
  }
  const resources: Json[] = body.Resources ?? [];
  if (!Array.isArray(resources)) throw new Error(`Resources is not an array\n${describeExchange(res)}`);
  expect(body.schemas).toContain(LIST_URN);
  return { total: body.totalResults, resources, body };
}

/** Exactly the ids of a ListResponse page, sorted. */
export function idsOf(resources: Json[]): string[] {
  return resources.map((r: Json) => String(r.id)).sort();
}

/** A tenant with one domain and a fresh SCIM token, and a client on its base. */
export async function setupTenant(server: RunningServer, slug: string, domain: string): Promise<ScimClient> {
  await server.stoaOk(['tenant', 'add', slug]);
  await server.stoaOk(['domain', 'add', slug, domain]);
  const minted = await server.stoaOk(['scim-token', slug]);
  if (!minted.lastLine) throw new Error(`stoa scim-token ${slug} printed no token`);
  return new ScimClient(`${server.http}/${slug}/scim/v2`, minted.lastLine);
}

/** A minimal valid User for the tenant's domain. */
export function minimalUser(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemas: [USER_URN], userName, ...extra };
}

/** POSTs a user and returns its body; fails with the exchange when it is not a 201. */
export async function createUser(client: ScimClient, resource: Record<string, unknown>): Promise<Json> {
  const res = await client.post('/Users', resource);
  return expectScim(res, 201);
}

/** The ids of a group's members, sorted. */
export function memberIds(group: Json): string[] {
  return ((group?.members ?? []) as Json[]).map((m: Json) => String(m.value)).sort();
}

/** Looks up the enterprise extension of a User, however the server spells the URN's case. */
export function enterpriseOf(user: Json): Json {
  if (!user || typeof user !== 'object') return undefined;
  const key = Object.keys(user).find((k) => k.toLowerCase() === ENTERPRISE_URN.toLowerCase());
  return key === undefined ? undefined : user[key];
}
