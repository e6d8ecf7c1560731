-- Search terms are written and deleted by their whole key: the store computes a contact's
-- terms from its fields, also when it deletes the contact. The index by contact and the
-- foreign key (two more writes and a lookup per term) go. SQLite cannot drop a foreign key:
-- the table is rebuilt. Its CHECK compares with each kind: SQLite evaluates `IN` of more than
-- two values through a temporary table, built again for every row inserted.

CREATE TABLE contact_terms_new (
    tenant_id  INTEGER NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind = 'word' OR kind = 'email' OR kind = 'phone'),
    term       TEXT    NOT NULL,
    contact_id INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, kind, term, contact_id)
) WITHOUT ROWID;

INSERT INTO contact_terms_new (tenant_id, kind, term, contact_id)
    SELECT tenant_id, kind, term, contact_id FROM contact_terms;
DROP TABLE contact_terms;
ALTER TABLE contact_terms_new RENAME TO contact_terms;
