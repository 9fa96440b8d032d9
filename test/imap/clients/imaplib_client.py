"""A second, unrelated IMAP client for the acceptance suite: Python's stdlib imaplib.

Run by test/imap/imaplib.test.ts with one JSON argument (ports, credentials); prints one JSON object
with what each step saw, which the test asserts on. Stdlib only.
"""
import base64
import hashlib
import imaplib
import json
import re
import socket
import ssl
import sys

cfg = json.loads(sys.argv[1])
HOST = '127.0.0.1'
USER = cfg['user']
CTX = ssl.create_default_context()
CTX.check_hostname = False
CTX.verify_mode = ssl.CERT_NONE
out = {}


def mutf7(name):
    """RFC 3501 §5.1.3 modified UTF-7 (imaplib has no encoder)."""
    res, buf = [], []

    def flush():
        if buf:
            b64 = base64.b64encode(''.join(buf).encode('utf-16-be')).decode().rstrip('=').replace('/', ',')
            res.append('&' + b64 + '-')
            buf.clear()
    for ch in name:
        if 0x20 <= ord(ch) <= 0x7e:
            flush()
            res.append('&-' if ch == '&' else ch)
        else:
            buf.append(ch)
    flush()
    return ''.join(res)


def tls(login=True, password=None):
    m = imaplib.IMAP4_SSL(HOST, cfg['imaps'], ssl_context=CTX, timeout=60)
    if login:
        m.login(USER, password or cfg['password'])
    return m


def code(data):
    return b' '.join(d if isinstance(d, bytes) else b'' for d in data).decode(errors='replace')


def uids(m, *criteria):
    typ, data = m.uid('SEARCH', *criteria)
    return [int(x) for x in data[0].split()] if typ == 'OK' and data[0] else []


# --- logins: 993, 143 with STARTTLS, app password, bearer token (XOAUTH2) ---
m = tls(login=False)
out['capsBeforeLogin'] = sorted(m.capabilities)
m.login(USER, cfg['password'])
out['login993'] = m.state
m.logout()

p = imaplib.IMAP4(HOST, cfg['starttls'], timeout=60)
out['caps143'] = sorted(p.capabilities)
try:
    p.login(USER, cfg['password'])
    out['plainLoginBeforeStarttls'] = 'accepted'
except imaplib.IMAP4.error as e:
    out['plainLoginBeforeStarttls'] = 'refused'
p.starttls(ssl_context=CTX)
p.login(USER, cfg['password'])
out['login143'] = p.state
p.logout()

a = tls(password=cfg['appPassword'])
out['loginAppPassword'] = a.state
a.logout()

b = tls(login=False)
b.authenticate('XOAUTH2', lambda _: ('user=%s\x01auth=Bearer %s\x01\x01' % (USER, cfg['token'])).encode())
out['loginBearer'] = b.state
b.logout()

m = tls()

# --- folders with a Unicode name, in modified UTF-7 ---
name, renamed = 'Überweisungen/日本', 'Überweisungen/中国'
out['create'] = m.create('"%s"' % mutf7(name))[0]
out['subscribe'] = m.subscribe('"%s"' % mutf7(name))[0]
out['listed'] = [l.decode() for l in m.list('""', '"%s"' % mutf7('Überweisungen/*'))[1] if l]
out['lsub'] = [l.decode() for l in m.lsub('""', '"*"')[1] if l]
out['rename'] = m.rename('"%s"' % mutf7(name), '"%s"' % mutf7(renamed))[0]
out['listedAfterRename'] = [l.decode() for l in m.list('""', '"%s"' % mutf7('Überweisungen/*'))[1] if l]
out['unsubscribe'] = m.unsubscribe('"%s"' % mutf7(renamed))[0]
out['delete'] = m.delete('"%s"' % mutf7(renamed))[0]
out['listedAfterDelete'] = [l.decode() for l in m.list('""', '"%s"' % mutf7('Überweisungen/*'))[1] if l]

# --- a 25 MB message: APPEND, FETCH back byte-exact ---
m.create('Big')
line = b'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3\r\n'
head = (b'From: py@example.test\r\nTo: ' + USER.encode() + b'\r\nSubject: big\r\nMIME-Version: 1.0\r\n'
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n'
        b'--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n')
big = head + line * (cfg['bigBytes'] // len(line)) + b'--b--\r\n'
typ, data = m.append('Big', None, None, big)
out['bigAppend'] = code(data)
m.select('Big')
uid = re.search(r'APPENDUID \d+ (\d+)', out['bigAppend']).group(1)
typ, data = m.uid('FETCH', uid, '(RFC822.SIZE BODY.PEEK[])')
fetched = data[0][1]
out['bigSize'] = len(big)
out['bigSha256'] = hashlib.sha256(big).hexdigest()
out['bigFetchedSha256'] = hashlib.sha256(fetched).hexdigest()
out['bigRfc822Size'] = int(re.search(rb'RFC822\.SIZE (\d+)', data[0][0]).group(1))
m.close()

# --- flags, STORE UNCHANGEDSINCE, COPY/MOVE with COPYUID, EXPUNGE, CHANGEDSINCE ---
m.create('Py')
m.create('PyTo')
for i, subject in enumerate(['alpha report', 'beta lunch', 'gamma report']):
    body = 'the word %s is here' % ['walrus', 'pelican', 'narwhal'][i]
    msg = 'From: sender%d@example.test\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n\r\n%s\r\n%s\r\n' % (
        i, USER, subject, ['Mon, 1 Jun 2020 10:00:00 +0000', 'Tue, 2 Mar 2021 10:00:00 +0000', 'Wed, 3 Aug 2022 10:00:00 +0000'][i],
        body, 'x' * (0 if i < 2 else 6000))
    m.append('Py', '(\\Seen)' if i == 0 else None, imaplib.Time2Internaldate([1591005600, 1614679200, 1659520800][i]), msg.encode())
m.enable('CONDSTORE')
typ, data = m.select('Py')
out['select'] = [d.decode() for d in m.untagged_responses.get('HIGHESTMODSEQ', [])]
modseq = int(out['select'][0]) if out['select'] else 0
typ, data = m.uid('STORE', '2', '+FLAGS', '(\\Flagged $Work)')
out['store'] = code(data)
# imaplib's uid() drops the tagged response's code; _simple_command returns it ([MODIFIED …], [COPYUID …]).
typ, data = m._simple_command('UID', 'STORE', '1:3', '(UNCHANGEDSINCE %d)' % modseq, '+FLAGS', '(\\Answered)')
out['storeUnchangedSince'] = [typ, code(data)]
typ, data = m.status('Py', '(HIGHESTMODSEQ)')
since = int(re.search(r'HIGHESTMODSEQ (\d+)', data[0].decode()).group(1))
m.uid('STORE', '3', '+FLAGS', '(\\Draft)')
typ, data = m.uid('FETCH', '1:*', '(FLAGS) (CHANGEDSINCE %d)' % since)
out['changedSince'] = [d.decode() for d in data if isinstance(d, bytes)]

# --- SEARCH by header, date, size, flag, body word ---
out['search'] = {
    'from': uids(m, 'FROM', 'sender1'),
    'subject': uids(m, 'SUBJECT', 'report'),
    'header': uids(m, 'HEADER', 'Subject', 'lunch'),
    'since': uids(m, 'SINCE', '1-Jan-2021'),
    'sentbefore': uids(m, 'SENTBEFORE', '1-Jan-2021'),
    'larger': uids(m, 'LARGER', '5000'),
    'seen': uids(m, 'SEEN'),
    'flagged': uids(m, 'FLAGGED'),
    'keyword': uids(m, 'KEYWORD', '$Work'),
    'body': uids(m, 'BODY', 'pelican'),
    'or': uids(m, 'OR', 'BODY', 'walrus', 'BODY', 'narwhal'),
}

typ, data = m._simple_command('UID', 'COPY', '1', 'PyTo')
out['copy'] = [typ, code(data)]
typ, data = m._simple_command('UID', 'MOVE', '3', 'PyTo')
out['move'] = [typ, code(data)]
out['moveExpunge'] = [d.decode() for d in m.untagged_responses.pop('EXPUNGE', [])]
m.uid('STORE', '2', '+FLAGS', '(\\Deleted)')
typ, data = m.expunge()
out['expunge'] = [typ, [d.decode() for d in data if d]]
out['statusPy'] = m.status('Py', '(MESSAGES)')[1][0].decode()
out['statusPyTo'] = m.status('PyTo', '(MESSAGES)')[1][0].decode()

# --- QUOTA ---
typ, data = m.getquotaroot('INBOX')
out['quotaroot'] = [typ, [x.decode() if isinstance(x, bytes) else [y.decode() for y in x] for x in data]]


# --- IDLE (imaplib 3.11 has none; spoken by hand) sees APPEND, flags and EXPUNGE from another connection ---
def idle_until(conn, pattern):
    conn.sock.settimeout(cfg['eventTimeout'])
    while True:
        line = conn._get_line().decode(errors='replace')
        if re.search(pattern, line):
            return line


m.create('PyIdle')
w = tls()
w.select('PyIdle')
tag = w._new_tag()
w.send(tag + b' IDLE\r\n')
out['idleStart'] = w._get_line().decode()
other = tls()
typ, data = other.append('PyIdle', None, None, b'From: x@example.test\r\nSubject: idle\r\n\r\nhi\r\n')
events = [idle_until(w, r'^\* \d+ EXISTS')]
other.select('PyIdle')
other.store('1', '+FLAGS', '(\\Flagged)')
events.append(idle_until(w, r'^\* \d+ FETCH'))
other.store('1', '+FLAGS', '(\\Deleted)')
other.expunge()
events.append(idle_until(w, r'^\* \d+ EXPUNGE'))
w.send(b'DONE\r\n')
events.append(idle_until(w, '^' + tag.decode()))
out['idle'] = events
other.logout()
w.logout()
m.logout()
print(json.dumps(out))
