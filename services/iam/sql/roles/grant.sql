INSERT INTO iam.user_roles (user_id, role, granted_by) VALUES ($1::uuid, $2, $3::uuid)
ON CONFLICT DO NOTHING
