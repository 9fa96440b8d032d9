/**
 * A private Dovecot (Debian's dovecot-imapd, 2.3) as a reference IMAP server: started in the
 * foreground from a generated configuration on a free loopback port, everything (sockets, state,
 * logs, maildirs) in one temporary directory, plaintext LOGIN allowed without TLS (loopback only),
 * any user name with one password. Dovecot refuses to run its login process or mail access as
 * root, so under root (CI) both run as `nobody` and the mail directory is given to it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';

export const DOVECOT = '/usr/sbin/dovecot';

export interface RunningDovecot {
  port: number;
  /** The password every user name logs in with. */
  password: string;
  /** Where user `name`'s maildir is (created at first login, or by the caller for a fast fill). */
  maildir(user: string): string;
  /** uid/gid that owns the mail: a caller writing maildir files directly must chown to it. */
  mailOwner: { uid: number; gid: number };
  pid: number;
  log(): string;
  stop(): Promise<void>;
}

interface Identity {
  internalUser: string;
  loginUser: string;
  uid: number;
  gid: number;
}

function identity(): Identity {
  const me = userInfo();
  if (me.uid !== 0) return { internalUser: me.username, loginUser: me.username, uid: me.uid, gid: me.gid };
  // nobody exists on every Debian system; dovenull/dovecot only where the package made them.
  return { internalUser: 'root', loginUser: 'nobody', uid: 65534, gid: 65534 };
}

function config(dir: string, port: number, password: string, id: Identity): string {
  return `# generated for one test run
protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${id.internalUser}
${id.internalUser === 'root' ? 'default_internal_group = root\n' : ''}default_login_user = ${id.loginUser}
first_valid_uid = ${id.uid}
last_valid_uid = ${id.uid}
mail_location = maildir:${dir}/mail/%u
mail_max_userip_connections = 2000
# Room for the bench's 1 000 idling connections (one imap process each; the defaults allow 100).
default_process_limit = 1500
default_client_limit = 3000
passdb {
  driver = static
  args = password=${password}
}
userdb {
  driver = static
  args = uid=${id.uid} gid=${id.gid} home=${dir}/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
}

/** Resolves once the server sends its greeting. */
function greeting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(2000);
    socket.once('data', (d: Buffer) => {
      socket.end('x LOGOUT\r\n');
      resolve(d.toString().startsWith('* OK'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function startDovecot(): Promise<RunningDovecot> {
  const id = identity();
  const dir = mkdtempSync(join(tmpdir(), 'stoa-dovecot-'));
  // The login and mail processes (not root) must reach base_dir and the mail directory.
  chmodSync(dir, 0o755);
  for (const sub of ['mail', 'home']) {
    mkdirSync(join(dir, sub));
    chownSync(join(dir, sub), id.uid, id.gid);
  }
  const port = await freePort();
  const password = 'dovecot-test-password';
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(conf, config(dir, port, password, id));
  const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const log = () => output + (existsSync(join(dir, 'dovecot.log')) ? readFileSync(join(dir, 'dovecot.log'), 'utf8') : '');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  while (!(await greeting(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const text = log();
      await stop();
      throw new Error(`dovecot did not start:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, password, maildir: (user) => join(dir, 'mail', user), mailOwner: { uid: id.uid, gid: id.gid }, pid: child.pid!, log, stop };
}
