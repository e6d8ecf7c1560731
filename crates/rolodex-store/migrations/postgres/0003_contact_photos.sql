-- A contact's photo: its reference (name, format, width, height, bytes, sha256), or NULL. The
-- files themselves are in photo storage, never in the database.
ALTER TABLE contacts ADD COLUMN photo jsonb;
