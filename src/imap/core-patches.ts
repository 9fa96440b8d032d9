/**
 * Everything Stoa changes in imap-core, at run time and without a fork (docs/notes/imap-core.md §5,
 * §6.1, §8). Each patch depends on imap-core internals, so this module refuses any version other
 * than the one it was written against, and checks the shapes it patches before touching them.
 *
 * - AUTHENTICATE XOAUTH2 and OAUTHBEARER, added to the private command table (§5.2);
 * - CAPABILITY lists exactly what Stoa offers (the list), AUTH= only once TLS is up (§5.3);
 * - LITERAL- (RFC 7888): non-synchronizing literals up to 4096 bytes (§5.4);
 * - APPEND over the user's quota is refused before "+ Go ahead", so the literal is never sent;
 * - APPEND and UNSUBSCRIBE decode a quoted mailbox name as UTF-8 after ENABLE UTF8=ACCEPT (§6.3);
 * - a parser error (a missed throw in a handler) costs its connection, not the process (§6.1).
 */
import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import './imap-core.ts';

const VERSION = '1.51.1';
/** RFC 7888 §4: LITERAL- allows non-synchronizing literals of at most 4096 bytes. */
const MAX_NON_SYNC = 4096;
/** imap-core refuses literals over 1024 bytes in anything but APPEND (imap-command.js:160). */
const MAX_COMMAND_LITERAL = 1024;
/** imap-core accepts literals up to max(maxMessage, this) (imap-command.js:157). */
const MIN_LITERAL_LIMIT = 1024 * 1024;

const require = createRequire(import.meta.url);
const pkg = require('@zone-eu/wildduck/package.json') as { version?: string };
if (pkg.version !== VERSION) {
  throw new Error(`src/imap/core-patches.ts was written for @zone-eu/wildduck ${VERSION}, found ${pkg.version}: re-check every patch`);
}

type Done = (err: Error | null, res?: { response: string; code?: string; message?: string }) => void;
type LineHandler = (line: string, nextLine: () => void) => void;

interface ServerOptions {
  maxMessage?: number;
  disableSTARTTLS?: boolean;
  ignoreSTARTTLS?: boolean;
}

interface Connection {
  id: string;
  acceptUTF8Enabled?: boolean;
  secure: boolean;
  state: string;
  session: unknown;
  remoteAddress?: string;
  _server: {
    options: ServerOptions;
    emit(event: 'error', err: Error): void;
    /** Stoa's hook: a refusal text when a literal of `bytes` would not fit the user's quota. */
    onAppendSize?: (session: unknown, bytes: number, cb: (refusal: string | null) => void) => void;
    onAuth?: (login: object, session: unknown, cb: (err: (Error & { response?: string; code?: string }) | null, res?: { user?: unknown }) => void) => void };
  _nextHandler: LineHandler | false;
  _parser: { on(event: 'error', fn: (err: Error) => void): void; _expecting: number; _literal: unknown; _literalReady: unknown };
  _currentCommand: unknown;
  send(line: string, cb?: () => void): void;
  close(force?: boolean): void;
  setUser(user: unknown): void;
  setupNotificationListener(): void;
}

interface CommandModule {
  state: string;
  schema: unknown;
  handler: (this: Connection, command: { command?: string; attributes?: Array<{ value?: unknown }> }, callback: Done, next: () => void) => void;
}

interface ParsedCommand {
  value: string;
  final?: boolean;
  lineTooLong?: boolean;
  expecting?: number;
  literal?: PassThrough;
  nonSync?: boolean;
  readyCallback?: () => void;
}

const { IMAPConnection } = require('@zone-eu/wildduck/imap-core/lib/imap-connection.js') as {
  IMAPConnection: { prototype: { init(this: Connection): void; _onCommand(this: Connection, c: ParsedCommand, cb: (err?: Error) => void): void; send(this: Connection, line: string, cb?: () => void): void } };
};
const { IMAPCommand } = require('@zone-eu/wildduck/imap-core/lib/imap-command.js') as {
  IMAPCommand: new (connection: object) => { append(command: { value: string }, cb: () => void): void } & { prototype: never };
};
const imapTools = require('@zone-eu/wildduck/imap-core/lib/imap-tools.js') as {
  sendCapabilityResponse(connection: Connection): void;
  logClientId(connection: Connection): void;
};
const commandProto = (IMAPCommand as unknown as { prototype: { append(this: { connection: Connection }, c: ParsedCommand, cb: unknown): unknown } }).prototype;

for (const [name, fn] of Object.entries({ init: IMAPConnection.prototype.init, _onCommand: IMAPConnection.prototype._onCommand, append: commandProto.append, sendCapabilityResponse: imapTools.sendCapabilityResponse })) {
  if (typeof fn !== 'function') throw new Error(`imap-core ${VERSION}: ${name} is not where core-patches.ts expects it`);
}

/** The private command table, found by watching the Map lookup a probe command makes (§5.2). */
function commandTable(): Map<string, CommandModule> {
  const has = Map.prototype.has;
  let table: unknown;
  Map.prototype.has = function (this: Map<unknown, unknown>, key: unknown) {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- capturing the Map is the point
    if (key === 'X-STOA-PROBE') table = this;
    return has.call(this, key);
  };
  try {
    new IMAPCommand({ _server: { options: {} }, session: {}, send() {}, logger: { debug() {} } }).append({ value: 'T X-STOA-PROBE' }, () => {});
  } finally {
    Map.prototype.has = has;
  }
  if (!(table instanceof Map) || !table.has('LOGIN') || !table.has('AUTHENTICATE PLAIN')) throw new Error('imap-core command table not found');
  return table as Map<string, CommandModule>;
}

// ---- AUTHENTICATE XOAUTH2 / OAUTHBEARER (RFC 7628; Google's XOAUTH2) ----

export interface OAuthLogin {
  method: 'XOAUTH2' | 'OAUTHBEARER';
  username: string;
  /** The bearer token; in `password` so onAuth has one shape for every method. */
  password: string;
  connection: Connection;
}

/** `user=U^Aauth=Bearer T^A^A` (XOAUTH2) or `n,a=U,^A…auth=Bearer T^A^A` (OAUTHBEARER), or null. */
export function parseOAuth(method: OAuthLogin['method'], base64: string): { username: string; token: string } | null {
  const text = Buffer.from(base64, 'base64').toString('utf8');
  const fields = text.split('\x01');
  const auth = fields.find((f) => /^auth=/i.test(f));
  const token = auth && /^auth=Bearer\s+(\S+)$/i.exec(auth)?.[1];
  if (!token) return null;
  let username = '';
  if (method === 'XOAUTH2') {
    username = fields.find((f) => f.startsWith('user='))?.slice(5) ?? '';
  } else {
    const gs2 = /^[nyp][^,]*,(?:a=([^,]*))?,/.exec(fields[0] ?? '');
    if (!gs2) return null;
    username = (gs2[1] ?? '').replace(/=2C/gi, ',').replace(/=3D/gi, '=');
  }
  return { username, token };
}

function oauthCommand(method: OAuthLogin['method']): CommandModule {
  return {
    state: 'Not Authenticated',
    schema: [{ name: 'token', type: 'string', optional: true }],
    handler(command, callback, next) {
      const options = this._server.options;
      if (!this.secure && !options.disableSTARTTLS && !options.ignoreSTARTTLS) {
        return callback(null, { response: 'BAD', message: 'Run STARTTLS first' });
      }
      const initial = String(command.attributes?.[0]?.value ?? '').trim();
      if (initial) return authenticate(this, method, initial, callback, next);
      this._nextHandler = (line, nextLine) => {
        this._nextHandler = false;
        nextLine();
        authenticate(this, method, line.trim(), callback, next);
      };
      this.send('+ ');
      return next();
    },
  };
}

function authenticate(conn: Connection, method: OAuthLogin['method'], base64: string, callback: Done, next: () => void): void {
  if (base64 === '*') return callback(null, { response: 'BAD', message: 'Authentication cancelled' });
  const parsed = parseOAuth(method, base64);
  if (!parsed) return callback(null, { response: 'BAD', message: 'Invalid SASL argument' });
  const onAuth = conn._server.onAuth;
  if (!onAuth) return callback(null, { response: 'NO', message: 'Authentication not implemented' });
  const login: OAuthLogin = { method, username: parsed.username, password: parsed.token, connection: conn };
  onAuth(login, conn.session, (err, res) => {
    if (err) return callback(null, { response: err.response ?? 'NO', ...(err.code ? { code: err.code } : {}), message: err.message });
    if (!res?.user) {
      // RFC 7628 §3.2.2: the failure is a challenge; the client answers it (imapflow sends ^A) and
      // only then gets the tagged NO. The parser must be resumed to read that answer.
      conn._nextHandler = (_line, nextLine) => {
        conn._nextHandler = false;
        nextLine();
        callback(null, { response: 'NO', code: 'AUTHENTICATIONFAILED', message: 'Invalid credentials' });
      };
      conn.send('+ ' + Buffer.from(JSON.stringify({ status: 'invalid_token', schemes: 'bearer' })).toString('base64'));
      return next();
    }
    conn.setUser(res.user);
    conn.state = 'Authenticated';
    conn.setupNotificationListener();
    imapTools.sendCapabilityResponse(conn);
    imapTools.logClientId(conn);
    callback(null, { response: 'OK', message: 'Authenticated' });
  });
}

const table = commandTable();
table.set('AUTHENTICATE XOAUTH2', oauthCommand('XOAUTH2'));
table.set('AUTHENTICATE OAUTHBEARER', oauthCommand('OAUTHBEARER'));
// Not offered (see CAPABILITIES), so not accepted either.
table.delete('AUTHENTICATE PLAIN-CLIENTTOKEN');
table.delete('XLIST');

// ---- CAPABILITY ----

/** What imap-core computes that Stoa offers (issue 5); anything else it prints is dropped. */
const OFFERED = new Set([
  'STARTTLS', 'LOGINDISABLED', 'AUTH=PLAIN', 'SASL-IR', 'ENABLE', 'ID', 'UNSELECT', 'IDLE', 'NAMESPACE', 'QUOTA',
  'SPECIAL-USE', 'UIDPLUS', 'CONDSTORE', 'UTF8=ACCEPT', 'MOVE',
]);

const sendCapabilityResponse = imapTools.sendCapabilityResponse;
imapTools.sendCapabilityResponse = (conn: Connection) => {
  let line = '';
  sendCapabilityResponse(Object.assign(Object.create(conn) as Connection, { send: (l: string) => void (line = l) }));
  const computed = line.replace(/^\* CAPABILITY /, '').split(' ');
  let caps = computed.filter((c) => c !== 'IMAP4rev1' && (OFFERED.has(c) || c.startsWith('APPENDLIMIT=')));
  if (conn.state === 'Not Authenticated') {
    // Before STARTTLS no mechanism works, so none is offered (RFC 3501 §6.2.3 LOGINDISABLED).
    caps = caps.includes('LOGINDISABLED')
      ? caps.filter((c) => !c.startsWith('AUTH=') && c !== 'SASL-IR')
      : [...caps, 'AUTH=XOAUTH2', 'AUTH=OAUTHBEARER'];
  }
  conn.send(['* CAPABILITY IMAP4rev1', ...caps, 'LITERAL-'].join(' '));
};

// ---- LITERAL- (RFC 7888) ----

const onCommand = IMAPConnection.prototype._onCommand;
IMAPConnection.prototype._onCommand = function (command, callback) {
  const m = command?.final && !command.lineTooLong && typeof command.value === 'string' ? /\{(\d+)\+\}$/.exec(command.value) : null;
  if (!m) return onCommand.call(this, command, callback);
  const n = Number(m[1]);
  const isAppend = /^\S+\s+APPEND\s/i.test(command.value);
  if (n > MAX_NON_SYNC || (!isAppend && n > MAX_COMMAND_LITERAL)) {
    // The bytes are already on the wire and cannot be told from commands: refuse and close (§4).
    this._currentCommand = false;
    this.send(`${command.value.split(' ')[0]} BAD [TOOBIG] Non-synchronizing literal too large`);
    setImmediate(() => this.close(true));
    return callback();
  }
  const parser = this._parser;
  const literal = new PassThrough();
  parser._expecting = n;
  parser._literal = literal;
  return onCommand.call(this, {
    value: command.value.slice(0, -m[0].length) + `{${n}}`,
    final: false,
    expecting: n,
    literal,
    nonSync: true,
    readyCallback: () => {
      const resume = parser._literalReady;
      if (typeof resume === 'function') {
        parser._literalReady = false;
        (resume as () => void)();
      } else {
        parser._literalReady = true;
      }
    },
  }, callback);
};

// A non-synchronizing literal gets no "+ Go ahead".
const append = commandProto.append;
commandProto.append = function (command, callback) {
  if (!command?.nonSync) return append.call(this, command, callback);
  const conn = this.connection as Connection & { send: Connection['send'] };
  conn.send = function (this: Connection, line: string, cb?: () => void) {
    if (line !== '+ Go ahead') IMAPConnection.prototype.send.call(this, line, cb);
  };
  try {
    return append.call(this, command, callback);
  } finally {
    delete (conn as Partial<Connection>).send;
  }
};

// ---- APPEND over quota, refused before the literal is read (§6.2) ----

const appendChecked = commandProto.append;
commandProto.append = function (this: { connection: Connection; first?: boolean; payload?: string; literals?: unknown[] }, command, callback) {
  const conn = this.connection;
  const check = conn._server.onAppendSize;
  // Only the first line of a synchronizing APPEND: its literal is the message (or the rare literal
  // mailbox name, which is tiny); the client waits for "+" and the parser waits for this callback.
  // Over APPENDLIMIT is imap-core's NO [TOOBIG], which comes first.
  const bytes = command?.expecting ?? 0;
  const fits = bytes > 0 && bytes <= Math.max(conn._server.options.maxMessage ?? 0, MIN_LITERAL_LIMIT);
  const line = this.first && command?.literal && !command.nonSync && fits ? /^(\S+)\s+APPEND\s/i.exec(command.value) : null;
  const session = conn.session as { user?: unknown } | undefined;
  if (!line || !check || !session?.user) return appendChecked.call(this, command, callback);
  check.call(conn._server, session, bytes, (refusal) => {
    if (refusal === null) return appendChecked.call(this, command, callback);
    this.payload = '';
    this.literals = [];
    conn.send(`${line[1]} NO [OVERQUOTA] ${refusal}`);
    (callback as (err: Error) => void)(Object.assign(new Error('Over quota'), { code: 'OverQuota' }));
  });
};

// ---- mailbox names under UTF8=ACCEPT (§6.3) ----

// Every other command turns the parser's binary string into UTF-8 before normalizeMailbox; these
// two do not, so `Grüße` would reach the hooks as `GrÃ¼Ãe`. The first attribute is the name.
for (const name of ['append', 'unsubscribe']) {
  const module = require(`@zone-eu/wildduck/imap-core/lib/commands/${name}.js`) as CommandModule;
  const handler = module.handler;
  if (typeof handler !== 'function') throw new Error(`imap-core ${VERSION}: the ${name} command has no handler`);
  module.handler = function (command, callback, next) {
    const first = command.attributes?.[0];
    if (this.acceptUTF8Enabled && first && typeof first.value === 'string') first.value = Buffer.from(first.value, 'binary').toString('utf8');
    return handler.call(this, command, callback, next);
  };
}

// ---- safety net (§6.1) ----

const init = IMAPConnection.prototype.init;
IMAPConnection.prototype.init = function () {
  this._parser.on('error', (err) => {
    this._server.emit('error', err); // logged by the front (server.ts)
    this.send('* BYE Internal server error');
    this.close();
  });
  return init.call(this);
};
