/** What the IMAP test files share: provisioning, an imapflow factory, event waits, raw sessions. */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { FREE_PORT, startServer, type RunningServer } from '../helpers/server.ts';

export const PASSWORD = 'a long enough password';
/** Generous: events arrive after a debounce on a loaded machine; the wait only bounds a failing test. */
export const EVENT_TIMEOUT_MS = 15_000;
/** Starting a server and provisioning through the CLI (several node processes) on a loaded machine. */
export const SETUP_TIMEOUT_MS = 180_000;
/** A test that runs the CLI or moves megabytes. */
export const SLOW_TEST_MS = 120_000;

/** Tenant `acme` with domain acme.test and the user ann@acme.test with `password`, through the CLI. */
export async function provisionAnn(s: RunningServer, password: string): Promise<void> {
  await s.stoaOk(['tenant', 'add', 'acme', '--name', 'Acme Ltd']);
  await s.stoaOk(['domain', 'add', 'acme', 'acme.test']);
  await s.stoaOk(['user', 'add', 'ann@acme.test', '--password-stdin'], `${password}\n`);
}

/** Makes imapflow clients for ann on implicit TLS, and logs them all out at the end. */
export function clientFactory(port: () => number) {
  const clients: ImapFlow[] = [];
  return {
    /** Not yet connected. */
    make(options: Partial<ImapFlowOptions> = {}): ImapFlow {
      const c = new ImapFlow({
        host: '127.0.0.1', port: port(), secure: true, tls: { rejectUnauthorized: false },
        auth: { user: 'ann@acme.test', pass: PASSWORD }, logger: false, ...options,
      });
      c.on('error', () => undefined); // a refused login also emits 'error'
      clients.push(c);
      return c;
    },
    async connected(options: Partial<ImapFlowOptions> = {}): Promise<ImapFlow> {
      const c = this.make(options);
      await c.connect();
      return c;
    },
    async closeAll(): Promise<void> {
      await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
    },
  };
}

export function message(subject: string, body = 'Hello'): Buffer {
  return Buffer.from(`From: bob@example.test\r\nTo: ann@acme.test\r\nSubject: ${subject}\r\n\r\n${body}\r\n`);
}

/** The next event of `name` on `c` that matches `accept`. */
export function nextEvent<T>(c: ImapFlow, name: string, accept: (data: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      c.off(name, on);
      reject(new Error(`no '${name}' event within ${EVENT_TIMEOUT_MS} ms`));
    }, EVENT_TIMEOUT_MS);
    const on = (data: T) => {
      if (!accept(data)) return;
      clearTimeout(timer);
      c.off(name, on);
      resolve(data);
    };
    c.on(name, on);
  });
}

/**
 * Runs raw command lines one by one (tags r1, r2, …), each sent once the previous one is answered,
 * and returns the transcript. `tls: false` talks plain TCP (the STARTTLS port before STARTTLS).
 */
export function rawSession(port: number, commands: string[], options: { tls?: boolean } = {}): Promise<string> {
  return rawDialog(port, commands.map((c, i) => [`r${i + 1} ${c}`, new RegExp(`^r${i + 1} (OK|NO|BAD)`, 'm')]), options);
}

/**
 * Sends each line as given (CRLF added) once the server's output since the previous line matches
 * that previous step's pattern, starting after the greeting; resolves with the whole transcript.
 */
export function rawDialog(port: number, steps: Array<[line: string, until: RegExp]>, options: { tls?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = options.tls === false
      ? netConnect(port, '127.0.0.1')
      : tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    let text = '';
    let since = 0; // where the output of the step in progress starts
    let step = -1;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`raw session stalled: ${text}`));
    }, EVENT_TIMEOUT_MS);
    const advance = () => {
      step++;
      since = text.length;
      if (step === steps.length) {
        clearTimeout(timer);
        socket.end();
        resolve(text);
        return;
      }
      socket.write(`${steps[step]![0]}\r\n`);
    };
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
    socket.on('data', (d: Buffer) => {
      text += d.toString();
      if (step === -1 ? text.includes('* OK') : steps[step]![1].test(text.slice(since))) advance();
    });
  });
}

export async function messagesIn(c: ImapFlow, path: string): Promise<number | undefined> {
  const status = await c.status(path, { messages: true });
  return status ? status.messages : undefined;
}

export interface ImapTestServer {
  s: RunningServer;
  /** The implicit-TLS port. */
  port: number;
  clients: ReturnType<typeof clientFactory>;
}

/**
 * Registers beforeAll/afterAll that start a server with IMAP on implicit TLS (plus `env`),
 * provision ann, and stop everything at the end. Fields are filled once beforeAll has run.
 */
export function useImapServer(env: Record<string, string> = {}): ImapTestServer {
  const t = { port: 0 } as ImapTestServer;
  t.clients = clientFactory(() => t.port);
  beforeAll(async () => {
    t.s = await startServer({ STOA_IMAP_PORT: FREE_PORT, STOA_IMAP_STARTTLS_PORT: '0', ...env });
    t.port = t.s.ports.STOA_IMAP_PORT!;
    await provisionAnn(t.s, PASSWORD);
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await t.clients.closeAll();
    await t.s?.stop();
  }, SETUP_TIMEOUT_MS);
  return t;
}

/** rawSession's transcript cut per command: element i is what answered command i+1, up to its tagged line. */
export async function rawAnswers(port: number, commands: string[], options: { tls?: boolean } = {}): Promise<string[]> {
  const transcript = await rawSession(port, commands, options);
  const answers: string[] = [];
  let rest = transcript.slice(transcript.indexOf('\r\n') + 2); // the greeting
  for (let i = 1; i <= commands.length; i++) {
    const tagged = new RegExp(`^r${i} .*\\r\\n`, 'm').exec(rest);
    if (!tagged) break;
    const end = tagged.index + tagged[0].length;
    answers.push(rest.slice(0, end));
    rest = rest.slice(end);
  }
  return answers;
}
