-- Search terms are written and deleted by their whole key: the store computes a contact's
-- terms from its fields, also when it deletes the contact. The index by contact and the
-- foreign key (two more writes and a lookup per term) go.

ALTER TABLE contact_terms DROP CONSTRAINT contact_terms_contact_id_fkey;
DROP INDEX contact_terms_contact;
