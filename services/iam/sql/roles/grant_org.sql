INSERT INTO iam.user_roles (user_id, role, org_id) VALUES ($1::uuid, $2, $3::uuid)
ON CONFLICT DO NOTHING
