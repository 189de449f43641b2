INSERT INTO iam.user_roles (user_id, role) VALUES ($1::uuid, 'platform_admin')
ON CONFLICT DO NOTHING
