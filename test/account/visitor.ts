/**
 * A browser without a browser, for the account page over plain HTTP: fetch with its own cookie jar,
 * no redirects followed (the tests look at each answer), forms posted urlencoded.
 */
export interface Answer {
  status: number;
  location: string | null;
  type: string | null;
  headers: Headers;
  body: string;
  bytes: Buffer;
}

export class Visitor {
  readonly base: string;
  readonly cookies = new Map<string, string>();

  constructor(base: string) {
    this.base = base;
  }

  async get(path: string): Promise<Answer> {
    return this.#send(path, { method: 'GET' });
  }

  async post(path: string, form: Record<string, string | string[]>): Promise<Answer> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(form)) for (const v of [value].flat()) body.append(name, v);
    return this.#send(path, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  /** Signs in with a password through both steps of the sign-in page; the final answer. */
  async signIn(address: string, password: string): Promise<Answer> {
    const form = await this.get(`/account/login?address=${encodeURIComponent(address)}`);
    return this.post('/account/login', { address, password, csrf: csrfOf(form.body) });
  }

  async #send(path: string, init: RequestInit): Promise<Answer> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(`${this.base}${path}`, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const [name, value] = [pair!.slice(0, at), pair!.slice(at + 1)];
      if (!value || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, location: res.headers.get('location'), type: res.headers.get('content-type'), headers: res.headers, body: bytes.toString('utf8'), bytes };
  }
}

/** The CSRF token of the (first) form on a page. */
export function csrfOf(page: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(page);
  if (!match) throw new Error(`no CSRF field on the page:\n${page.slice(0, 500)}`);
  return match[1]!;
}
