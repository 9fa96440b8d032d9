import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { Directory } from '../directory/index.ts';
import type { Principal } from '../directory/principal.ts';
import { FilesService } from '../files/service.ts';
import type { DirectoryBook } from '../contacts/directory-book.ts';
import { GroupwareService } from '../groupware/service.ts';
import type { SharingService } from '../groupware/sharing.ts';
import type { GroupRecord, TenantRecord } from '../store/ports/index.ts';
import { authenticate } from './auth.ts';
import { DirectoryBookSpace } from './directory-book-space.ts';
import { DriveSpace } from './drive-space.ts';
import { ADDRESSBOOK_KIND, CALDAV_NS, CALENDAR_KIND, CARDDAV_NS, GroupwareSpace, type GroupwareKind } from './groupware-space.ts';
import { DAV_METHODS, DavEngine, errorResponse, options, type DavResponse, type DavSite, type Located } from './engine.ts';
import { DavError } from './errors.ts';
import type { LockManager } from './locks.ts';
import type { DavSpace } from './resource.ts';
import { SharedCollectionSpace } from './shared-collection-space.ts';
import { PrincipalCollectionSpace, principalOf } from './principals.ts';
import { MountListSpace } from './virtual-space.ts';
import { davText } from './xml-out.ts';

export interface DavSettings {
  /** Drive quota when the directory sets none for the user; 0 = no limit. */
  quotaBytes: number;
  maxFileBytes: number;
  /** Development and tests: Basic over the plain listener from loopback. */
  plainLoopbackBasic: boolean;
  /** The most changes one sync-collection answer names. */
  syncMaxChanges: number;
}

const EXTRA_METHODS = ['PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'REPORT', 'MKCALENDAR'];
/**
 * Methods Node's HTTP parser knows that this front does not implement: routed so they get 501
 * (POST and PATCH 405). A token Node's parser does not know is refused by Node itself with 400.
 */
const UNIMPLEMENTED = ['SEARCH', 'ACL', 'BIND', 'UNBIND', 'REBIND', 'POST', 'PATCH'];

/**
 * The DAV front on the one Fastify app. DAV methods are registered with Fastify, and inside this
 * plugin every body is left unparsed, so a PUT streams from the socket into the blob store and XML
 * bodies are read by the engine with its own limits. Layout (docs/ARCHITECTURE.md):
 * `/{tenant}/webdav/home/` the user's drive, `/{tenant}/webdav/groups/{group}/` each group drive,
 * `/{tenant}/principals/users/{id}/` the principal.
 */
export function davRoutes(deps: { directory: Directory; files: FilesService; groupware: GroupwareService; sharing: SharingService; directoryBook: DirectoryBook; locks: LockManager; settings: DavSettings }) {
  const engine = new DavEngine(deps.locks, { syncMaxChanges: deps.settings.syncMaxChanges });
  return async (app: FastifyInstance) => {
    for (const method of [...EXTRA_METHODS, ...UNIMPLEMENTED]) if (!app.supportedMethods.includes(method)) app.addHttpMethod(method, { hasBody: true });
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, _payload, done) => done(null));
    // The Windows Mini-Redirector probes the server root before mapping a drive.
    app.route({ method: 'OPTIONS', url: '/', handler: (_request, reply) => send(reply, options()) });
    const handler = async (request: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply) => {
      if (request.method === 'OPTIONS') return send(reply, options());
      try {
        const principal = await authenticate(deps.directory, request, deps.settings.plainLoopbackBasic);
        const tenant = await deps.directory.tenants.bySlug(request.params.tenant);
        // Another tenant's path and an unknown one look the same.
        if (!tenant || tenant.id !== principal.tenantId) throw new DavError(403, 'need-privileges', 'not your tenant');
        const site = await siteFor(deps, principal, tenant);
        const url = request.raw.url ?? '/';
        // A fragment never belongs in a Request-URI; acting on the path without it could delete the wrong thing.
        if (url.includes('#')) throw new DavError(400, null, 'a fragment is not allowed in the Request-URI');
        const path = url.replace(/\?.*$/s, '');
        return send(reply, await engine.handle(site, {
          method: request.method, path, headers: request.headers, host: request.headers.host, body: request.raw, maxPutBytes: deps.settings.maxFileBytes,
        }));
      } catch (err) {
        if (err instanceof DavError) return send(reply, errorResponse(err));
        throw err;
      }
    };
    const methods = [...DAV_METHODS, ...UNIMPLEMENTED] as HTTPMethods[];
    for (const url of ['/:tenant/webdav', '/:tenant/webdav/*', '/:tenant/principals/*', '/:tenant/calendar', '/:tenant/calendar/*', '/:tenant/contacts', '/:tenant/contacts/*']) app.route({ method: methods, url, handler });
    // RFC 6764: the tenant is known only once the user is, so discovery authenticates first.
    const wellKnown = async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        const principal = await authenticate(deps.directory, request, deps.settings.plainLoopbackBasic);
        const tenant = await deps.directory.tenants.byId(principal.tenantId);
        if (!tenant) throw new DavError(403, 'need-privileges', 'no tenant');
        // 308 keeps a PROPFIND's body: clients following a 301 (python-requests) resend it empty, as allprop.
        const status = request.method === 'GET' || request.method === 'HEAD' ? 301 : 308;
        return reply.code(status).header('location', `/${tenant.slug}/principals/users/${principal.userId}/`).send();
      } catch (err) {
        if (err instanceof DavError) return send(reply, errorResponse(err));
        throw err;
      }
    };
    for (const url of ['/.well-known/caldav', '/.well-known/carddav']) app.route({ method: methods, url, handler: wellKnown });
  };
}

/** The company address book's name in every address-book home. */
const DIRECTORY_BOOK = 'directory';
/** A collection shared with the user appears in their home as `shared-{collection id}`. */
const SHARED_PREFIX = 'shared-';

/** `lockBase`: where the mounted space's locks live (see Located), when it is someone else's data. */
type Mount = { name: string; space: DavSpace; lockBase?: string[] };

function send(reply: FastifyReply, response: DavResponse): FastifyReply {
  reply.code(response.status);
  for (const [name, value] of Object.entries(response.headers)) reply.header(name, value);
  return reply.send(response.body ?? undefined);
}

/** The spaces one user sees in their tenant. */
async function siteFor(deps: { directory: Directory; files: FilesService; groupware: GroupwareService; sharing: SharingService; directoryBook: DirectoryBook; settings: DavSettings }, principal: Principal, tenant: TenantRecord): Promise<DavSite> {
  const principalHref = `/${tenant.slug}/principals/users/${principal.userId}/`;
  const user = await deps.directory.users.get(tenant.id, principal.userId);
  const quota = (bytes: number | null | undefined) => {
    const value = bytes ?? deps.settings.quotaBytes;
    return value === 0 ? null : value;
  };
  const homeDrive = FilesService.userDrive(tenant.id, principal.userId);
  const home = new DriveSpace(deps.files, { id: homeDrive, quota: quota(user?.quotaBytes) }, { owner: principalHref, displayName: user?.displayName ?? principal.address });
  let groups: Promise<Map<string, DavSpace>> | undefined;
  const groupSpaces = () => {
    groups ??= deps.directory.groups.find(tenant.id, { memberId: principal.userId }, { offset: 0, limit: 1000 }).then(({ items }) => groupDrives(deps.files, items, quota(null)));
    return groups;
  };
  const groupList = new MountListSpace({ displayName: 'Groups' }, async () => [...(await groupSpaces())].map(([name, space]) => ({ name, space })));
  const root = new MountListSpace({ displayName: 'Files' }, async () => [{ name: 'home', space: home }, { name: 'groups', space: groupList }]);
  const ownerId = GroupwareService.ownerId(tenant.id, principal.userId);
  const calendarHome = `/${tenant.slug}/calendar/`;
  const contactsHome = `/${tenant.slug}/contacts/`;
  const shared = new Map<GroupwareKind, Promise<Mount[]>>();
  const sharedWithMe = (kind: GroupwareKind, home: string) => {
    if (!shared.has(kind)) shared.set(kind, sharedMounts(deps, tenant, ownerId, kind, home));
    return shared.get(kind)!;
  };
  const directoryBook = new DirectoryBookSpace(deps.directoryBook, tenant.id);
  const calendarMounts = () => sharedWithMe(CALENDAR_KIND, calendarHome);
  const contactMounts = async (): Promise<Mount[]> => [{ name: DIRECTORY_BOOK, space: directoryBook }, ...(await sharedWithMe(ADDRESSBOOK_KIND, contactsHome))];
  const calendars = new GroupwareSpace(deps.groupware, CALENDAR_KIND, { ownerId, owner: principalHref, collectionHref: (name) => `${calendarHome}${encodeURIComponent(name)}/`, mounts: calendarMounts, sharing: deps.sharing });
  const addressBooks = new GroupwareSpace(deps.groupware, ADDRESSBOOK_KIND, { ownerId, owner: principalHref, collectionHref: (name) => `${contactsHome}${encodeURIComponent(name)}/`, mounts: contactMounts, sharing: deps.sharing });
  const principalSpace = principalOf(tenant, { id: principal.userId, displayName: user?.displayName ?? principal.address, addresses: user?.addresses ?? [principal.address] }, {
    [`{${CALDAV_NS}}calendar-home-set`]: davText('href', calendarHome),
    [`{${CARDDAV_NS}}addressbook-home-set`]: davText('href', contactsHome),
  });
  return {
    tenantId: tenant.id,
    userId: principal.userId,
    principalHref,
    async locate(segments): Promise<Located | null> {
      const [slug, area, ...rest] = segments;
      if (slug?.toLowerCase() !== tenant.slug) return null;
      if (area === 'principals') {
        if (rest[0] !== 'users') return null;
        if (rest[1] === undefined) return { space: new PrincipalCollectionSpace(tenant, deps.directory.users), base: segments.slice(0, 3) };
        if (rest[1] === principal.userId) return { space: principalSpace, base: segments.slice(0, 4) };
        // A colleague's principal tells what the company directory already lists (name, addresses), so
        // a client can name the owner of a calendar shared with this user; their homes stay theirs.
        const colleague = await deps.directory.users.get(tenant.id, rest[1]);
        return colleague?.active ? { space: principalOf(tenant, { ...colleague, displayName: colleague.displayName ?? colleague.userName }, {}), base: segments.slice(0, 4) } : null;
      }
      if (area === 'calendar' || area === 'contacts') {
        const [home, mounts] = area === 'calendar' ? [calendars, calendarMounts] : [addressBooks, contactMounts];
        // Only a name a mount can have costs a look-up of the user's shares.
        const mount = rest[0] === DIRECTORY_BOOK || rest[0]?.startsWith(SHARED_PREFIX) ? (await mounts()).find((m) => m.name === rest[0]) : undefined;
        if (mount) return { space: mount.space, base: segments.slice(0, 3), ...(mount.lockBase ? { lockBase: mount.lockBase } : {}) };
        // Homes share one URL across the tenant's users, so their locks are keyed by owner (lockBase).
        return { space: home, base: segments.slice(0, 2), lockBase: [`~${area}`, ownerId], owned: true };
      }
      if (area !== 'webdav') return null;
      const base = segments.slice(0, 2);
      if (rest[0] === 'home') return { space: home, base: [...base, 'home'], lockBase: ['~drive', homeDrive] };
      if (rest[0] !== 'groups') return { space: root, base };
      const group = rest[1] === undefined ? undefined : (await groupSpaces()).get(rest[1]);
      return group ? { space: group, base: [...base, 'groups', rest[1]!] } : { space: groupList, base: [...base, 'groups'] };
    },
  };
}

/**
 * The collections of a kind shared with the user, each read through its owner's home. A grant that
 * somehow names another tenant's collection is ignored, so a share never crosses tenants.
 */
async function sharedMounts(deps: { groupware: GroupwareService; sharing: SharingService }, tenant: TenantRecord, ownerId: string, kind: GroupwareKind, home: string): Promise<Mount[]> {
  const shares = await deps.sharing.sharedWith(ownerId, kind.kind);
  return shares.flatMap(({ grant, collection }) => {
    const owner = GroupwareService.parseOwnerId(collection.ownerId);
    if (owner.tenantId !== tenant.id) return [];
    const name = `${SHARED_PREFIX}${collection.id}`;
    const ownerHome = new GroupwareSpace(deps.groupware, kind, { ownerId: collection.ownerId, owner: `/${tenant.slug}/principals/users/${owner.userId}/`, collectionHref: () => `${home}${name}/` });
    const space = new SharedCollectionSpace(ownerHome, collection.name, {
      access: grant.access,
      props: grant.props,
      setProps: async (set, remove) => void (await deps.sharing.setOwnProps(ownerId, collection.id, set, remove)),
      unsubscribe: () => deps.sharing.unsubscribe(ownerId, collection.id),
    });
    // The owner's and the sharees' locks on a shared collection must meet: keyed as in the owner's home.
    return [{ name, space, lockBase: [`~${kind.kind === 'calendar' ? 'calendar' : 'contacts'}`, collection.ownerId, collection.name] }];
  });
}

/** A folder name per group: its display name, made unique with the id where two share one. */
function groupDrives(files: FilesService, groups: GroupRecord[], quota: number | null): Map<string, DavSpace> {
  const spaces = new Map<string, DavSpace>();
  const counts = new Map<string, number>();
  const nameOf = (g: GroupRecord) => g.displayName.replace(/[/\\\0]/g, '_').normalize('NFC');
  for (const g of groups) counts.set(nameOf(g), (counts.get(nameOf(g)) ?? 0) + 1);
  for (const g of groups) {
    const name = counts.get(nameOf(g))! > 1 ? `${nameOf(g)} (${g.id.slice(0, 8)})` : nameOf(g);
    spaces.set(name, new DriveSpace(files, { id: FilesService.groupDrive(g.tenantId, g.id), quota }, { owner: null, displayName: g.displayName }));
  }
  return spaces;
}
