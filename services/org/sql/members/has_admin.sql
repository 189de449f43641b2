SELECT 1 AS admin FROM org.members WHERE organization_id = $1::uuid AND role = 'org_admin' LIMIT 1
