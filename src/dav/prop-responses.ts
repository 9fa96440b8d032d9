import { escapeXml } from '../autoconfig/xml-write.ts';
import type { PropfindRequest } from './bodies.ts';
import { liveProps, PropRenderer, type Render } from './properties.ts';
import type { DavResource } from './resource.ts';
import { clark, dav, parseClark, propstat, DAV_NS, type QName } from './xml-out.ts';

/** The live properties RFC 4918 §9.1 says allprop returns. */
const ALLPROP = new Set(['creationdate', 'displayname', 'getcontentlength', 'getcontenttype', 'getetag', 'getlastmodified', 'lockdiscovery', 'resourcetype', 'supportedlock']);

export function emptyProp(q: QName): string {
  return q.ns === DAV_NS ? dav(q.name) : q.ns ? `<x:${q.name} xmlns:x="${escapeXml(q.ns)}"/>` : `<${q.name} xmlns=""/>`;
}

/** One property name as a request asks for it, resolved once. */
interface Wanted {
  key: string;
  /** The empty element, for the 404 propstat and propname. */
  empty: string;
  render: Render;
}

/** The names one kind of resource answers with, and whether a collection of that kind needs its sync token. */
interface Plan {
  wanted: Wanted[];
  syncToken: boolean;
}

/** Where a member is: its href, its lock key and its path in the space (built only when a property needs them). */
export interface At {
  href: string;
  lockKey: () => string;
  path: () => string[];
}

/**
 * The `D:response` of each resource for one PROPFIND (or sync-collection) request. The names asked
 * for are resolved once per request (for allprop and propname, once per kind of resource: their
 * live properties differ between files and collections), not once per member.
 */
export class PropResponses {
  readonly #context: PropRenderer;
  readonly #what: PropfindRequest;
  readonly #plans = new Map<string, Plan>();
  readonly #wanted = new Map<string, Wanted>();

  constructor(context: PropRenderer, what: PropfindRequest) {
    this.#context = context;
    this.#what = what;
  }

  /** A promise only when the resource is a collection whose sync token is asked for (a store read). */
  response(at: At, resource: DavResource): string | Promise<string> {
    const plan = this.#plan(resource);
    if (this.#what.kind === 'propname') {
      let names = '';
      for (const w of plan.wanted) names += w.empty;
      for (const key in resource.deadProps) names += emptyProp(parseClark(key));
      return member(at.href, names, '');
    }
    if (resource.collection && plan.syncToken) return this.#context.syncToken(at.path()).then((token) => this.#values(plan, at, resource, token));
    return this.#values(plan, at, resource, null);
  }

  #values(plan: Plan, at: At, resource: DavResource, syncToken: string | null): string {
    let found = '';
    let missing = '';
    for (const w of plan.wanted) {
      const value = w.render(resource, at.lockKey, syncToken) ?? resource.deadProps[w.key];
      if (value !== undefined) found += value;
      else missing += w.empty;
    }
    if (this.#what.kind === 'allprop') for (const key in resource.deadProps) found += resource.deadProps[key];
    return member(at.href, found, missing);
  }

  #plan(resource: DavResource): Plan {
    const what = this.#what;
    // What the live properties depend on (see liveProps); `prop` asks the same of every resource.
    const kind = what.kind === 'prop' ? '' : `${resource.collection}|${resource.displayName === null}|${Object.keys(resource.extraProps ?? {}).join('|')}`;
    let plan = this.#plans.get(kind);
    if (!plan) {
      const live = what.kind === 'prop' ? [] : liveProps(resource);
      const names = what.kind === 'prop' ? what.props : what.kind === 'propname' ? live : [...live.filter((q) => q.ns === DAV_NS && ALLPROP.has(q.name)), ...what.include];
      plan = { wanted: names.map((q) => this.#want(q)), syncToken: PropRenderer.needsSyncToken(names) };
      this.#plans.set(kind, plan);
    }
    return plan;
  }

  #want(q: QName): Wanted {
    const key = clark(q);
    let wanted = this.#wanted.get(key);
    if (!wanted) {
      wanted = { key, empty: emptyProp(q), render: this.#context.compile(q) };
      this.#wanted.set(key, wanted);
    }
    return wanted;
  }
}

function member(href: string, found: string, missing: string): string {
  return `<D:response><D:href>${escapeXml(href)}</D:href>${propstat(200, found)}${propstat(404, missing)}</D:response>`;
}
