-- Customer details: website, postal address and custom fields (RPM's customer `Fields`).

ALTER TABLE customers ADD COLUMN website text;
ALTER TABLE customers ADD COLUMN address text;
ALTER TABLE customers ADD COLUMN city text;
ALTER TABLE customers ADD COLUMN state text;
ALTER TABLE customers ADD COLUMN postal_code text;
ALTER TABLE customers ADD COLUMN country text;
ALTER TABLE customers ADD COLUMN custom_fields jsonb NOT NULL DEFAULT '{}'; -- object of name -> text
