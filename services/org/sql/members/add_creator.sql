-- The creator of an organization is its first admin.
INSERT INTO org.members (organization_id, user_id, role) VALUES ($1::uuid, $2::uuid, 'org_admin')
