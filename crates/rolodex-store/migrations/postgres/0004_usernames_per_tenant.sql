-- Usernames are unique within a tenant, not across tenants: an admin who creates a user learns
-- nothing about the users of other tenants. A membership carries its user's username
-- (usernames never change), so that the database itself enforces the rule; the same name may
-- belong to different accounts in different tenants.

ALTER TABLE memberships ADD COLUMN username text COLLATE "C";
UPDATE memberships m SET username = u.username FROM users u WHERE u.id = m.user_id;
ALTER TABLE memberships ALTER COLUMN username SET NOT NULL;
CREATE UNIQUE INDEX memberships_username ON memberships (tenant_id, rolodex_nocase(username));

DROP INDEX users_username;
CREATE INDEX users_username ON users (rolodex_nocase(username));
