/**
 * Postfix (submission on implicit TLS, SASL through Dovecot) handing mail to Dovecot LMTP, which
 * stores it in Maildirs: the comparison peer of the SMTP bench. Everything lives in a temporary
 * directory (`postfix -c`, `dovecot -c`) with loopback ports; nothing under /etc is changed. It
 * needs root, as both daemons drop to their own users (postfix, dovecot) that the Debian packages
 * created. Postfix answers 250 once the message is in its queue, Stoa once it is in the INBOX, so
 * the time until everything is in the Maildirs is reported as well.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/ports.ts';
import type { SmtpTarget } from './smtp.ts';

export interface PostfixDovecot {
  target: SmtpTarget;
  /** Waits until `expected` messages are in the Maildirs (or a minute passes); how many there are. */
  delivered(expected: number): Promise<number>;
  stop(): Promise<void>;
}

const POSTFIX = '/usr/sbin/postfix';
const DOVECOT = '/usr/sbin/dovecot';
const MASTER_CF = '/usr/share/postfix/master.cf.dist';

export async function startPostfixDovecot(senders: number, password: string): Promise<PostfixDovecot | { skipped: string }> {
  if (![POSTFIX, DOVECOT, MASTER_CF].every((p) => existsSync(p))) return { skipped: 'postfix or dovecot-lmtpd is not installed' };
  if (process.getuid?.() !== 0) return { skipped: 'Postfix and Dovecot need root to start (they switch to their own users)' };
  const dir = mkdtempSync(join(tmpdir(), 'stoa-bench-postfix-'));
  const [smtps, lmtp, auth] = [await freePort(), await freePort(), await freePort()];
  // mkdtemp makes it 0700: the daemons' own users must reach their directories inside.
  execFileSync('chmod', ['755', dir]);
  for (const sub of ['postfix', 'queue', 'data', 'dovecot/run', 'dovecot/state', 'mail']) mkdirSync(join(dir, sub), { recursive: true });
  execFileSync('chown', ['postfix', join(dir, 'data')]);
  execFileSync('chown', ['dovecot:dovecot', join(dir, 'mail')]);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=bench.local'], { stdio: 'ignore' });

  writeFileSync(join(dir, 'dovecot/dovecot.conf'), `
base_dir = ${dir}/dovecot/run
state_dir = ${dir}/dovecot/state
log_path = ${dir}/dovecot/dovecot.log
protocols = lmtp
first_valid_uid = 100
ssl = no
listen = 127.0.0.1
default_login_user = dovenull
default_internal_user = dovecot
mail_location = maildir:${dir}/mail/%u
auth_mechanisms = plain login
passdb {
  driver = static
  args = password=${password}
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${dir}/mail/%u
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${lmtp}
  }
}
service auth {
  inet_listener {
    address = 127.0.0.1
    port = ${auth}
  }
}
`);
  writeFileSync(join(dir, 'postfix/main.cf'), `
compatibility_level = 3.6
queue_directory = ${dir}/queue
data_directory = ${dir}/data
maillog_file_prefixes = ${dir}
maillog_file = ${dir}/postfix.log
myhostname = bench.local
mydestination =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
virtual_mailbox_domains = bench.test
virtual_transport = lmtp:inet:127.0.0.1:${lmtp}
smtpd_tls_cert_file = ${dir}/cert.pem
smtpd_tls_key_file = ${dir}/key.pem
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:${auth}
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
message_size_limit = 52428800
`);
  // The stock services without chroot (the queue directory is not a chroot jail) and without port 25.
  const master = readFileSync(MASTER_CF, 'utf8').split('\n').map((line) => {
    const fields = line.split(/\s+/);
    if (!/^[a-z0-9]/.test(line) || fields.length < 8) return line;
    if (fields[0] === 'smtp' && fields[1] === 'inet') return `#${line}`;
    fields[4] = 'n';
    return fields.join('  ');
  });
  master.push(`127.0.0.1:${smtps} inet n - n - - smtpd -o smtpd_tls_wrappermode=yes`);
  writeFileSync(join(dir, 'postfix/master.cf'), `${master.join('\n')}\n`);

  const stop = async () => {
    try {
      execFileSync(POSTFIX, ['-c', join(dir, 'postfix'), 'stop'], { stdio: 'ignore' });
    } catch {
      // not running
    }
    const pidFile = join(dir, 'dovecot/run/master.pid');
    if (existsSync(pidFile)) process.kill(Number(readFileSync(pidFile, 'utf8').trim()));
    await new Promise((r) => setTimeout(r, 1000));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    execFileSync(DOVECOT, ['-c', join(dir, 'dovecot/dovecot.conf')], { stdio: 'ignore' });
    execFileSync(POSTFIX, ['-c', join(dir, 'postfix'), 'start'], { stdio: 'ignore' });
    await waitForPort(smtps);
  } catch (error) {
    const log = existsSync(join(dir, 'postfix.log')) ? readFileSync(join(dir, 'postfix.log'), 'utf8').split('\n').slice(-3).join(' | ') : '';
    await stop();
    return { skipped: `could not start: ${(error as Error).message.split('\n')[0]} ${log}` };
  }
  return {
    target: { port: smtps, secure: true, sender: (i) => `s${i}@bench.test`, recipient: (i) => `r${i % senders}@bench.test` },
    async delivered(expected) {
      const deadline = Date.now() + 60_000;
      let count = 0;
      while (Date.now() < deadline) {
        count = countMaildir(join(dir, 'mail'));
        if (count >= expected) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      return count;
    },
    stop,
  };
}

function countMaildir(root: string): number {
  let count = 0;
  for (const user of readdirSync(root)) {
    const fresh = join(root, user, 'new');
    if (existsSync(fresh)) count += readdirSync(fresh).length;
  }
  return count;
}

async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
