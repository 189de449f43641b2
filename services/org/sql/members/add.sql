INSERT INTO org.members (organization_id, user_id, role) VALUES ($1::uuid, $2::uuid, $3)
ON CONFLICT DO NOTHING
