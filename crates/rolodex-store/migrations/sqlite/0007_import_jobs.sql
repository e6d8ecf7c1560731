-- Imports that run on their own: a file too large to import within one request (or a client
-- that asks for it) is imported by a job of the node that took it, which records its progress
-- here so that any node can report it. `progress_at` is the job's heartbeat: a running job
-- whose heartbeat stopped (its node died) is reported as interrupted. `report` is the finished
-- import's report, as a synchronous import answers it.

CREATE TABLE import_jobs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id      INTEGER NOT NULL REFERENCES tenants (id),
    user_id        INTEGER REFERENCES users (id),
    username       TEXT    NOT NULL,
    format         TEXT    NOT NULL,
    dry_run        INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
    status         TEXT    NOT NULL CHECK (status = 'running' OR status = 'completed' OR status = 'failed'),
    rows_total     INTEGER NOT NULL,
    rows_done      INTEGER NOT NULL,
    rows_created   INTEGER NOT NULL,
    rows_updated   INTEGER NOT NULL,
    rows_unchanged INTEGER NOT NULL,
    rows_refused   INTEGER NOT NULL,
    error_code     TEXT,
    error_message  TEXT,
    report         BLOB,
    started_at     INTEGER NOT NULL,
    progress_at    INTEGER NOT NULL,
    finished_at    INTEGER
);

CREATE INDEX import_jobs_started ON import_jobs (tenant_id, started_at);
