-- Customer details: website, postal address and custom fields (RPM's customer `Fields`).

ALTER TABLE customers ADD COLUMN website TEXT;
ALTER TABLE customers ADD COLUMN address TEXT;
ALTER TABLE customers ADD COLUMN city TEXT;
ALTER TABLE customers ADD COLUMN state TEXT;
ALTER TABLE customers ADD COLUMN postal_code TEXT;
ALTER TABLE customers ADD COLUMN country TEXT;
ALTER TABLE customers ADD COLUMN custom_fields TEXT NOT NULL DEFAULT '{}'; -- JSON object of name -> text
