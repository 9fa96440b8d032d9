/**
 * A minimal IMAP client that keeps the server's bytes: each response comes back whole (literals
 * included) and parses into tokens that remember whether a string was quoted, a literal or NIL,
 * so two servers' answers can be compared as sent, not as a client library would normalise them.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface Tagged {
  /** Untagged responses ("* …"), each with its literals, without the final CRLF. */
  untagged: Buffer[];
  /** The tagged status line without the tag, e.g. "OK [APPENDUID 1 2] Append completed". */
  status: string;
}

export class RawImap {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  #waiters: Array<() => void> = [];
  #tag = 0;
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (d: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, d]);
      this.#wake();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  /** Connects and reads the greeting; `tls` for implicit TLS (self-signed certificates accepted). */
  static async connect(port: number, options: { tls?: boolean } = {}): Promise<RawImap> {
    const socket = options.tls
      ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false })
      : netConnect(port, '127.0.0.1');
    const client = new RawImap(socket);
    const greeting = await client.#response();
    if (!greeting.toString('latin1').startsWith('* OK')) throw new Error(`unexpected greeting: ${greeting.toString('latin1')}`);
    return client;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  async #more(): Promise<void> {
    if (this.#closed) throw new Error('connection closed');
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** One complete response (a line, with any literals it announces), consumed from the buffer. */
  async #response(): Promise<Buffer> {
    let pos = 0;
    for (;;) {
      const eol = this.#buffer.indexOf('\r\n', pos);
      if (eol < 0) {
        await this.#more();
        continue;
      }
      const literal = /\{(\d+)\}$/.exec(this.#buffer.subarray(pos, eol).toString('latin1'));
      if (!literal) {
        const out = this.#buffer.subarray(0, eol);
        this.#buffer = this.#buffer.subarray(eol + 2);
        return out;
      }
      const end = eol + 2 + Number(literal[1]);
      while (this.#buffer.length < end) await this.#more();
      pos = end;
    }
  }

  /**
   * Sends a command and collects everything up to its tagged answer. Each literal follows a
   * `{n}` that ends a part of the command; the client waits for the server's "+" before it.
   */
  async command(parts: Array<string | Buffer>): Promise<Tagged> {
    const tag = `t${++this.#tag}`;
    const untagged: Buffer[] = [];
    const pieces = [...parts];
    let line = `${tag} `;
    while (pieces.length) {
      const piece = pieces.shift()!;
      if (typeof piece === 'string') {
        line += piece;
        continue;
      }
      this.#socket.write(Buffer.from(`${line}{${piece.length}}\r\n`, 'latin1'));
      line = '';
      for (;;) {
        const res = await this.#response();
        if (res[0] === 0x2b) break; // "+": go ahead
        if (res.toString('latin1').startsWith(`${tag} `)) return { untagged, status: res.toString('latin1').slice(tag.length + 1) };
        untagged.push(res);
      }
      this.#socket.write(piece);
    }
    this.#socket.write(Buffer.from(`${line}\r\n`, 'latin1'));
    for (;;) {
      const res = await this.#response();
      if (res.toString('latin1').startsWith(`${tag} `)) return { untagged, status: res.toString('latin1').slice(tag.length + 1) };
      untagged.push(res);
    }
  }

  /** The same, failing unless the answer is OK. */
  async ok(parts: Array<string | Buffer>): Promise<Tagged> {
    const res = await this.command(parts);
    if (!res.status.startsWith('OK')) throw new Error(`${String(parts[0]).split(' ')[0]} failed: ${res.status}`);
    return res;
  }

  /** Starts IDLE and resolves at the server's continuation; the connection then only listens. */
  async idle(): Promise<void> {
    const tag = `t${++this.#tag}`;
    this.#socket.write(`${tag} IDLE\r\n`);
    for (;;) {
      const res = await this.#response();
      if (res[0] === 0x2b) return;
      if (res.toString('latin1').startsWith(`${tag} `)) throw new Error(`IDLE refused: ${res.toString('latin1')}`);
    }
  }

  /** Drops the connection without LOGOUT (many idling connections at once). */
  destroy(): void {
    this.#socket.destroy();
  }

  async close(): Promise<void> {
    if (!this.#closed) await this.command(['LOGOUT']).catch(() => undefined);
    this.#socket.destroy();
  }
}

/** A token of a response as sent: strings keep their form, so "x", {1}x and NIL stay distinct. */
export type Token =
  | { kind: 'atom'; value: string }
  | { kind: 'quoted'; value: Buffer }
  | { kind: 'literal'; value: Buffer }
  | { kind: 'nil' }
  | { kind: 'list'; items: Token[] };

/**
 * Parses the tokens of one response after its leading "* " (numbers and flags are atoms; an
 * atom like BODY[HEADER.FIELDS (A B)] keeps its bracketed part whole).
 */
export function parseTokens(res: Buffer, from = 0): Token[] {
  const root: Token[] = [];
  const stack: Token[][] = [root];
  let i = from;
  const top = (): Token[] => stack[stack.length - 1]!;
  while (i < res.length) {
    const c = res[i]!;
    if (c === 0x20) {
      i++;
    } else if (c === 0x28) {
      const list: Token = { kind: 'list', items: [] };
      top().push(list);
      stack.push(list.items);
      i++;
    } else if (c === 0x29) {
      stack.pop();
      i++;
    } else if (c === 0x22) {
      const out: number[] = [];
      i++;
      while (i < res.length && res[i] !== 0x22) {
        if (res[i] === 0x5c) i++;
        out.push(res[i]!);
        i++;
      }
      i++;
      top().push({ kind: 'quoted', value: Buffer.from(out) });
    } else if (c === 0x7b) {
      const close = res.indexOf(0x7d, i);
      const n = Number(res.subarray(i + 1, close).toString('latin1'));
      const start = close + 3; // "}\r\n"
      top().push({ kind: 'literal', value: res.subarray(start, start + n) });
      i = start + n;
    } else {
      let j = i;
      let depth = 0;
      while (j < res.length) {
        const d = res[j]!;
        if (d === 0x5b) depth++;
        else if (d === 0x5d) depth--;
        else if (depth === 0 && (d === 0x20 || d === 0x28 || d === 0x29)) break;
        j++;
      }
      const atom = res.subarray(i, j).toString('latin1');
      top().push(atom.toUpperCase() === 'NIL' ? { kind: 'nil' } : { kind: 'atom', value: atom });
      i = j;
    }
  }
  return root;
}

/** FETCH data items of a "* n FETCH (…)" response, by upper-cased item name. */
export function fetchItems(res: Buffer): Map<string, Token> {
  const tokens = parseTokens(res, 2);
  const list = tokens[2];
  if (tokens[1]?.kind !== 'atom' || tokens[1].value.toUpperCase() !== 'FETCH' || list?.kind !== 'list') {
    throw new Error(`not a FETCH response: ${res.toString('latin1').slice(0, 200)}`);
  }
  const items = new Map<string, Token>();
  for (let i = 0; i + 1 < list.items.length; i += 2) {
    const name = list.items[i]!;
    if (name.kind === 'atom') items.set(name.value.toUpperCase(), list.items[i + 1]!);
  }
  return items;
}

/** An IMAP quoted string (the dates and names these tests send are plain ASCII). */
export function quote(s: string): string {
  return `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
