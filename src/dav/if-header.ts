import { DavError } from './errors.ts';

/**
 * The If header (RFC 4918 §10.4), fully: untagged or tagged lists of conditions, each a state token
 * (`<urn:uuid:…>`) or an entity tag (`[…]`), optionally negated.
 */
export interface IfCondition {
  not: boolean;
  /** A state token (lock token) or null for an entity-tag condition. */
  token: string | null;
  /** The entity tag as sent, with quotes and any W/ prefix. */
  etag: string | null;
}

export interface IfList {
  /** The tagged resource's URI, or null for the request URI. */
  resource: string | null;
  conditions: IfCondition[];
}

export function parseIfHeader(value: string): IfList[] {
  const lists: IfList[] = [];
  let i = 0;
  let tag: string | null = null;
  let tagged: boolean | null = null;
  const fail = (): never => {
    throw new DavError(400, null, 'malformed If header');
  };
  const skip = () => {
    while (i < value.length && /\s/.test(value[i]!)) i++;
  };
  for (skip(); i < value.length; skip()) {
    const c = value[i];
    if (c === '<') {
      if (tagged === false) fail();
      tagged = true;
      const end = value.indexOf('>', i);
      if (end < 0) fail();
      tag = value.slice(i + 1, end);
      i = end + 1;
      skip();
      if (value[i] !== '(') fail();
    } else if (c === '(') {
      if (tagged === null) tagged = false;
      i++;
      const conditions: IfCondition[] = [];
      for (skip(); value[i] !== ')'; skip()) {
        if (i >= value.length) fail();
        let not = false;
        if (/^not\b/i.test(value.slice(i, i + 4)) && /\s|<|\[/.test(value[i + 3] ?? '')) {
          not = true;
          i += 3;
          skip();
        }
        if (value[i] === '<') {
          const end = value.indexOf('>', i);
          if (end < 0) fail();
          conditions.push({ not, token: value.slice(i + 1, end), etag: null });
          i = end + 1;
        } else if (value[i] === '[') {
          const end = value.indexOf(']', i);
          if (end < 0) fail();
          conditions.push({ not, token: null, etag: value.slice(i + 1, end).trim() });
          i = end + 1;
        } else {
          fail();
        }
      }
      i++;
      if (!conditions.length) fail();
      lists.push({ resource: tagged ? tag : null, conditions });
    } else {
      fail();
    }
  }
  if (!lists.length) fail();
  return lists;
}

/** Every lock token the header submits (positively), whichever list it appears in. */
export function submittedTokens(lists: IfList[]): Set<string> {
  return new Set(lists.flatMap((l) => l.conditions.filter((c) => !c.not && c.token).map((c) => c.token!)));
}

/** What the evaluator needs to know about a resource an If list names. */
export interface IfState {
  etag: string | null;
  /** Lock tokens of the locks that cover the resource. */
  tokens: Set<string>;
}

/**
 * True when, for some resource the header names, one of its lists holds (RFC 4918 §10.4.3). A
 * header whose lists all name other resources does not constrain the request URI beyond them.
 */
export async function evaluateIf(lists: IfList[], stateOf: (resource: string | null) => Promise<IfState>): Promise<boolean> {
  for (const list of lists) {
    const state = await stateOf(list.resource);
    const holds = list.conditions.every((c) => {
      const match = c.token !== null ? state.tokens.has(c.token) : state.etag !== null && weakEqual(c.etag!, state.etag);
      return c.not ? !match : match;
    });
    if (holds) return true;
  }
  return false;
}

export function weakEqual(a: string, b: string): boolean {
  return a.replace(/^W\//, '') === b.replace(/^W\//, '');
}
