import type { Db } from './database.ts';

/**
 * Schema versions, applied in order; `PRAGMA user_version` records how many ran. Never edit a
 * released step: append a new one (other adapters' tables, e.g. mail, are added the same way).
 *
 * Timestamps are the ISO-8601 UTC strings of the records (they sort as text); JSON columns hold
 * what is only ever read whole. Uniqueness that matters is enforced by indexes, not by callers.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    settings TEXT NOT NULL,
    created_at TEXT NOT NULL
  ) STRICT;

  CREATE TABLE domains (
    name TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    created_at TEXT NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX domains_tenant ON domains (tenant_id, name);

  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    user_name TEXT NOT NULL,
    user_name_lc TEXT NOT NULL,
    external_id TEXT,
    display_name TEXT,
    active INTEGER NOT NULL,
    sso_only INTEGER NOT NULL,
    password_hash TEXT,
    quota_bytes INTEGER,
    addresses TEXT NOT NULL,
    aliases TEXT NOT NULL,
    scim TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
  ) STRICT;
  -- Partial unique indexes: a soft-deleted user gives its userName and externalId back.
  CREATE UNIQUE INDEX users_user_name_live ON users (user_name_lc) WHERE deleted_at IS NULL;
  CREATE UNIQUE INDEX users_external_id_live ON users (tenant_id, external_id)
    WHERE deleted_at IS NULL AND external_id IS NOT NULL;
  CREATE INDEX users_tenant_user_name ON users (tenant_id, user_name_lc);
  CREATE INDEX users_tenant_external_id ON users (tenant_id, external_id);
  CREATE INDEX users_tenant_created ON users (tenant_id, created_at, id);
  CREATE INDEX users_deleted ON users (deleted_at) WHERE deleted_at IS NOT NULL;

  -- Every address of every live user, lower-case: the primary key is the cross-tenant uniqueness.
  CREATE TABLE addresses (
    address TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX addresses_user ON addresses (user_id);

  CREATE TABLE groups (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    display_name TEXT NOT NULL,
    display_name_lc TEXT NOT NULL,
    external_id TEXT,
    scim TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX groups_tenant_display_name ON groups (tenant_id, display_name_lc);
  CREATE INDEX groups_tenant_external_id ON groups (tenant_id, external_id);
  CREATE INDEX groups_tenant_created ON groups (tenant_id, created_at, id);

  -- No foreign key to users: a membership may outlive a soft delete; purge removes it.
  CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (group_id, user_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX group_members_user ON group_members (user_id);

  CREATE TABLE app_passwords (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id TEXT NOT NULL,
    label TEXT NOT NULL,
    scopes TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    last_used_ip TEXT,
    revoked_at TEXT
  ) STRICT;
  CREATE INDEX app_passwords_user ON app_passwords (user_id, created_at, id);

  CREATE TABLE scim_tokens (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
  ) STRICT;

  CREATE TABLE kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    -- Epoch milliseconds; NULL never expires.
    expires_at INTEGER
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX kv_expires ON kv (expires_at) WHERE expires_at IS NOT NULL;

  -- AUTOINCREMENT: a seq is never reused, even after the newest rows are pruned, so a tailing
  -- reader's "after seq N" stays meaningful.
  CREATE TABLE journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    container TEXT NOT NULL,
    modseq INTEGER NOT NULL,
    op TEXT NOT NULL,
    item TEXT NOT NULL,
    data TEXT,
    at TEXT NOT NULL
  ) STRICT;
  CREATE UNIQUE INDEX journal_container_modseq ON journal (container, modseq);

  CREATE TABLE journal_heads (
    container TEXT PRIMARY KEY,
    modseq INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  `,
  // 2: mail. A mailbox's modseq is its journal head (container `mailbox:{id}`), so it has no column.
  `
  -- Text ids (random UUIDs): a deleted mailbox's id, and so its journal container, is never reused.
  -- No foreign key to users: mail outlives a soft-deleted user for the retention period.
  CREATE TABLE mailboxes (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    path TEXT NOT NULL,
    special_use TEXT,
    subscribed INTEGER NOT NULL,
    uid_validity INTEGER NOT NULL,
    uid_next INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (user_id, path)
  ) STRICT;

  -- id is the rowid alias that links a message to its message_text row; (mailbox_id, uid) is the
  -- key everything else uses. internal_day/sent_day (YYYY-MM-DD as written, in the date's own
  -- zone) and *_ms serve SEARCH; sent_* fall back to the internal date when Date: is unusable.
  -- search_headers: JSON {lower-case name: normalised value}, for SEARCH HEADER.
  CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    mailbox_id TEXT NOT NULL REFERENCES mailboxes (id),
    uid INTEGER NOT NULL,
    modseq INTEGER NOT NULL,
    blob TEXT NOT NULL,
    size INTEGER NOT NULL,
    internal_date TEXT NOT NULL,
    internal_day TEXT NOT NULL,
    internal_ms INTEGER NOT NULL,
    sent_day TEXT NOT NULL,
    sent_ms INTEGER NOT NULL,
    flags TEXT NOT NULL,
    seen INTEGER NOT NULL,
    meta TEXT NOT NULL,
    search_headers TEXT NOT NULL,
    UNIQUE (mailbox_id, uid)
  ) STRICT;
  CREATE INDEX messages_mailbox_modseq ON messages (mailbox_id, modseq);
  CREATE INDEX messages_blob ON messages (blob);

  -- Normalised (NFC, lower-cased) search text. Trigrams make a phrase query a substring match;
  -- case_sensitive 1 because the text is already folded the same way as the terms, so the index
  -- and the instr() fallback for short terms agree exactly.
  CREATE VIRTUAL TABLE message_text USING fts5 (headers, body, tokenize = 'trigram case_sensitive 1');
  CREATE TRIGGER messages_text_gone AFTER DELETE ON messages BEGIN
    DELETE FROM message_text WHERE rowid = old.id;
  END;

  -- Bytes of every message a user has; written in the same transaction as the messages.
  CREATE TABLE mail_usage (
    user_id TEXT PRIMARY KEY,
    bytes INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;

  -- Small named counters (the last UIDVALIDITY handed out).
  CREATE TABLE mail_counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  `,
  // 3: file drives. A directory's sync token is its journal head (container `files:{id}`).
  `
  CREATE TABLE file_nodes (
    id TEXT PRIMARY KEY,
    drive_id TEXT NOT NULL,
    parent_id TEXT REFERENCES file_nodes (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    blob TEXT,
    size INTEGER NOT NULL,
    content_type TEXT,
    etag TEXT NOT NULL,
    created_at TEXT NOT NULL,
    modified_at TEXT NOT NULL,
    props TEXT NOT NULL,
    UNIQUE (parent_id, name)
  ) STRICT;
  CREATE UNIQUE INDEX file_roots ON file_nodes (drive_id) WHERE parent_id IS NULL;
  CREATE INDEX file_nodes_blob ON file_nodes (blob);

  -- Bytes of every file of a drive; written in the same transaction as the nodes.
  CREATE TABLE file_usage (
    drive_id TEXT PRIMARY KEY,
    bytes INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  `,
  // 4: the outbound SMTP queue. The entry is JSON; the columns are what claiming looks at.
  `
  CREATE TABLE outbound_queue (
    id TEXT PRIMARY KEY,
    entry TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    lease TEXT,
    lease_until INTEGER NOT NULL DEFAULT 0
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX outbound_queue_due ON outbound_queue (due_at);
  `,
  // 5: calendars and address books. A collection's sync token is its journal head (`dav:{id}`);
  // span_start/span_end (epoch ms, NULL = unbounded) let a time-range query skip most objects.
  `
  CREATE TABLE dav_collections (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    props TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (owner_id, kind, name)
  ) STRICT;

  CREATE TABLE dav_objects (
    collection_id TEXT NOT NULL REFERENCES dav_collections (id),
    name TEXT NOT NULL,
    uid TEXT NOT NULL,
    component TEXT NOT NULL,
    span_start INTEGER,
    span_end INTEGER,
    data BLOB NOT NULL,
    content_type TEXT NOT NULL,
    etag TEXT NOT NULL,
    modified_at TEXT NOT NULL,
    PRIMARY KEY (collection_id, name),
    UNIQUE (collection_id, uid)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX dav_objects_span ON dav_objects (collection_id, span_start);
  `,
  // 6: sharing. A grant goes with its collection (ON DELETE CASCADE; foreign keys are on).
  `
  CREATE TABLE dav_grants (
    collection_id TEXT NOT NULL REFERENCES dav_collections (id) ON DELETE CASCADE,
    grantee_id TEXT NOT NULL,
    access TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (collection_id, grantee_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX dav_grants_grantee ON dav_grants (grantee_id, collection_id);
  `,
  // 7: a sharee's own properties of a shared collection (JSON: clark name → element XML).
  `
  ALTER TABLE dav_grants ADD COLUMN props TEXT NOT NULL DEFAULT '{}';
  `,
];

/**
 * Applies the steps this file has not yet seen. Inside one IMMEDIATE transaction that re-reads the
 * version, so two processes opening a fresh file at once migrate it exactly once.
 */
export function migrate(db: Db): void {
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new Error(`stoa.db has schema version ${current}, newer than this Stoa (${MIGRATIONS.length})`);
    }
    for (let version = current; version < MIGRATIONS.length; version++) {
      db.exec(MIGRATIONS[version] ?? '');
    }
    if (current !== MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
