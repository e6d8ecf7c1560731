-- OAuth 2.0 (RFC 6749) for CRO-style clients: the clients registered in a tenant, the
-- authorization codes issued to them and the refresh tokens they hold. Secrets, codes and
-- refresh tokens are stored as SHA-256 only. The access tokens are rows of `tokens` of the new
-- kind 'oauth', so that every surface authenticates them as it does login tokens.
--
-- A grant is one authorization code and every refresh token descended from it: revoking the
-- grant (a code used twice, a rotated refresh token used again) marks the code revoked and
-- revokes its refresh tokens and their access tokens.
--
-- SQLite cannot change a CHECK constraint: `tokens` is rebuilt (foreign keys are off while
-- migrations run, and checked before each commits), keeping ids and the id sequence.

CREATE TEMP TABLE kept_sequence AS SELECT seq FROM sqlite_sequence WHERE name = 'tokens';

CREATE TABLE tokens_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL CHECK (kind IN ('session', 'api_key', 'oauth')),
    secret_hash TEXT    NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    tenant_id   INTEGER REFERENCES tenants (id),
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER,
    revoked_at  INTEGER
);

INSERT INTO tokens_new (id, kind, secret_hash, user_id, tenant_id, name, created_at, expires_at, revoked_at)
    SELECT id, kind, secret_hash, user_id, tenant_id, name, created_at, expires_at, revoked_at
    FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_new RENAME TO tokens;
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM kept_sequence), 0))
    WHERE name = 'tokens';
DROP TABLE kept_sequence;

CREATE INDEX tokens_tenant_kind ON tokens (tenant_id, kind, created_at);

CREATE TABLE oauth_clients (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id),
    name          TEXT    NOT NULL,
    client_id     TEXT    NOT NULL UNIQUE,
    secret_hash   TEXT    NOT NULL,
    redirect_uris TEXT    NOT NULL, -- JSON array of strings, each matched exactly
    created_at    INTEGER NOT NULL,
    revoked_at    INTEGER,
    -- The target of the codes' composite foreign key: a code's client is of its tenant.
    UNIQUE (tenant_id, id)
);

CREATE TABLE oauth_codes (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id             INTEGER NOT NULL,
    client_id             INTEGER NOT NULL,
    user_id               INTEGER NOT NULL REFERENCES users (id),
    code_hash             TEXT    NOT NULL UNIQUE,
    -- As the authorization request named it; NULL when it named none (the client's only one).
    redirect_uri          TEXT,
    code_challenge        TEXT,
    code_challenge_method TEXT CHECK (code_challenge_method IN ('S256', 'plain')),
    scope                 TEXT,
    created_at            INTEGER NOT NULL,
    expires_at            INTEGER NOT NULL,
    used_at               INTEGER,
    -- When the grant was revoked.
    revoked_at            INTEGER,
    FOREIGN KEY (tenant_id, client_id) REFERENCES oauth_clients (tenant_id, id)
);

CREATE INDEX oauth_codes_client ON oauth_codes (client_id);
CREATE INDEX oauth_codes_expiry ON oauth_codes (tenant_id, expires_at);

CREATE TABLE oauth_refresh_tokens (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id       INTEGER NOT NULL REFERENCES tenants (id),
    client_id       INTEGER NOT NULL REFERENCES oauth_clients (id),
    -- The grant: the authorization code this token descends from.
    code_id         INTEGER NOT NULL REFERENCES oauth_codes (id),
    user_id         INTEGER NOT NULL REFERENCES users (id),
    token_hash      TEXT    NOT NULL UNIQUE,
    -- The access token issued with this refresh token.
    access_token_id INTEGER NOT NULL REFERENCES tokens (id),
    scope           TEXT,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    -- When it was exchanged for a new pair: it is spent.
    rotated_at      INTEGER,
    revoked_at      INTEGER
);

CREATE INDEX oauth_refresh_tokens_grant ON oauth_refresh_tokens (code_id);
CREATE INDEX oauth_refresh_tokens_client ON oauth_refresh_tokens (client_id);
CREATE INDEX oauth_refresh_tokens_user ON oauth_refresh_tokens (user_id);
