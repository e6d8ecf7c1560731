-- Rolodex schema for SQLite.
--
-- Conventions: times are INTEGER unix milliseconds, booleans INTEGER 0/1, lists and maps are
-- JSON text. Every table holding tenant data has tenant_id, and every query filters by it.
-- Ids are AUTOINCREMENT so that a deleted entity's id (and its history) is never reused.
-- Case-insensitive uniqueness uses COLLATE NOCASE (ASCII case folding).

CREATE TABLE tenants (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    code       TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    active        INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at    INTEGER NOT NULL
);

CREATE TABLE memberships (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    user_id   INTEGER NOT NULL REFERENCES users (id),
    role      TEXT    NOT NULL CHECK (role IN ('admin', 'dispatcher', 'viewer')),
    PRIMARY KEY (tenant_id, user_id)
) WITHOUT ROWID;

CREATE INDEX memberships_user ON memberships (user_id, tenant_id);

-- Login sessions and API keys; only the SHA-256 of a secret is stored.
CREATE TABLE tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL CHECK (kind IN ('session', 'api_key')),
    secret_hash TEXT    NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    tenant_id   INTEGER REFERENCES tenants (id),
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER,
    revoked_at  INTEGER
);

CREATE INDEX tokens_tenant_kind ON tokens (tenant_id, kind, created_at);

CREATE TABLE login_failures (
    id  INTEGER PRIMARY KEY,
    key TEXT    NOT NULL,
    at  INTEGER NOT NULL
);

CREATE INDEX login_failures_key_at ON login_failures (key, at);
CREATE INDEX login_failures_at ON login_failures (at);

CREATE TABLE customers (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    code       TEXT    NOT NULL COLLATE NOCASE,
    name       TEXT COLLATE NOCASE,
    created_at INTEGER NOT NULL,
    created_by INTEGER,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER,
    version    INTEGER NOT NULL,
    -- The target of contacts' composite foreign key: a contact's customer is of its tenant.
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, code)
);

CREATE INDEX customers_name ON customers (tenant_id, name);

CREATE TABLE contacts (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id              INTEGER NOT NULL,
    customer_id            INTEGER NOT NULL,
    code                   TEXT COLLATE NOCASE,
    external_id            TEXT COLLATE NOCASE,
    status                 TEXT,
    salutation             TEXT,
    first_name             TEXT,
    initial                TEXT,
    last_name              TEXT,
    full_name              TEXT,
    title                  TEXT,
    mail_stop              TEXT,
    address_1              TEXT,
    address_2              TEXT,
    address_3              TEXT,
    city                   TEXT,
    state                  TEXT,
    postal_code            TEXT,
    country                TEXT,
    phones                 TEXT    NOT NULL, -- JSON array of {id, type, number}
    emails                 TEXT    NOT NULL, -- JSON array of strings
    web_address            TEXT,
    notes                  TEXT,
    attachments            TEXT    NOT NULL, -- JSON array of strings
    is_primary             INTEGER NOT NULL CHECK (is_primary IN (0, 1)),
    is_decision_maker      INTEGER NOT NULL CHECK (is_decision_maker IN (0, 1)),
    owner_id               INTEGER,
    notify_on_new          INTEGER NOT NULL CHECK (notify_on_new IN (0, 1)),
    notify_on_acknowledged INTEGER NOT NULL CHECK (notify_on_acknowledged IN (0, 1)),
    notify_on_dispatched   INTEGER NOT NULL CHECK (notify_on_dispatched IN (0, 1)),
    notify_on_completed    INTEGER NOT NULL CHECK (notify_on_completed IN (0, 1)),
    notify_on_failed       INTEGER NOT NULL CHECK (notify_on_failed IN (0, 1)),
    custom_fields          TEXT    NOT NULL, -- JSON object of name -> text
    phone_seq              INTEGER NOT NULL,
    -- The last-name sort key: the last name lower-cased, '' when there is none.
    last_name_key          TEXT    NOT NULL,
    created_at             INTEGER NOT NULL,
    created_by             INTEGER,
    updated_at             INTEGER NOT NULL,
    updated_by             INTEGER,
    version                INTEGER NOT NULL,
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE RESTRICT
);

-- NULLs are distinct in SQLite unique indexes: code and external_id are unique when set.
CREATE UNIQUE INDEX contacts_code ON contacts (tenant_id, customer_id, code);
CREATE UNIQUE INDEX contacts_external_id ON contacts (tenant_id, external_id);
CREATE UNIQUE INDEX contacts_primary ON contacts (tenant_id, customer_id) WHERE is_primary = 1;
CREATE INDEX contacts_customer ON contacts (tenant_id, customer_id, id);
CREATE INDEX contacts_last_name ON contacts (tenant_id, last_name_key, id);
CREATE INDEX contacts_created ON contacts (tenant_id, created_at, id);
CREATE INDEX contacts_updated ON contacts (tenant_id, updated_at, id);

-- The search index: rolodex_domain::search::contact_terms of every contact.
CREATE TABLE contact_terms (
    tenant_id  INTEGER NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('word', 'email', 'phone')),
    term       TEXT    NOT NULL,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, kind, term, contact_id)
) WITHOUT ROWID;

CREATE INDEX contact_terms_contact ON contact_terms (contact_id);

CREATE TABLE history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    entity      TEXT    NOT NULL CHECK (entity IN ('customer', 'contact')),
    entity_id   INTEGER NOT NULL,
    -- The contact's customer, for contact entries.
    customer_id INTEGER,
    version     INTEGER NOT NULL,
    change      TEXT    NOT NULL CHECK (change IN ('create', 'update', 'delete')),
    at          INTEGER NOT NULL,
    user_id     INTEGER,
    username    TEXT    NOT NULL,
    surface     TEXT    NOT NULL,
    changes     TEXT    NOT NULL -- JSON array of {field, old, new}
);

CREATE INDEX history_entity ON history (tenant_id, entity, entity_id, id);

CREATE TABLE idempotency_keys (
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    scope        TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    fingerprint  TEXT    NOT NULL,
    completed    INTEGER NOT NULL CHECK (completed IN (0, 1)),
    status       INTEGER,
    content_type TEXT,
    body         BLOB,
    etag         TEXT,
    location     TEXT,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, scope, key)
) WITHOUT ROWID;

CREATE INDEX idempotency_keys_created ON idempotency_keys (tenant_id, created_at);
