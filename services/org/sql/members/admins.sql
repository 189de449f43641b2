SELECT user_id::text AS user_id FROM org.members
WHERE organization_id = $1::uuid AND role = 'org_admin'
