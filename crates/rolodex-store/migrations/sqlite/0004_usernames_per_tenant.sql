-- Usernames are unique within a tenant, not across tenants: an admin who creates a user learns
-- nothing about the users of other tenants. A membership carries its user's username
-- (usernames never change), so that the database itself enforces the rule; the same name may
-- belong to different accounts in different tenants.
--
-- SQLite cannot drop a constraint: both tables are rebuilt (foreign keys are off while
-- migrations run, and checked before each commits), keeping ids and the id sequence.

CREATE TEMP TABLE kept_sequence AS SELECT seq FROM sqlite_sequence WHERE name = 'users';

CREATE TABLE users_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL COLLATE NOCASE,
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    active        INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at    INTEGER NOT NULL
);

INSERT INTO users_new (id, username, display_name, password_hash, active, created_at)
    SELECT id, username, display_name, password_hash, active, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM kept_sequence), 0))
    WHERE name = 'users';
DROP TABLE kept_sequence;

CREATE INDEX users_username ON users (username);

CREATE TABLE memberships_new (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    user_id   INTEGER NOT NULL REFERENCES users (id),
    role      TEXT    NOT NULL CHECK (role IN ('admin', 'dispatcher', 'viewer')),
    username  TEXT    NOT NULL COLLATE NOCASE,
    PRIMARY KEY (tenant_id, user_id),
    UNIQUE (tenant_id, username)
) WITHOUT ROWID;

INSERT INTO memberships_new (tenant_id, user_id, role, username)
    SELECT m.tenant_id, m.user_id, m.role, u.username
    FROM memberships m JOIN users u ON u.id = m.user_id;
DROP TABLE memberships;
ALTER TABLE memberships_new RENAME TO memberships;

CREATE INDEX memberships_user ON memberships (user_id, tenant_id);
