SELECT 1 AS present FROM org.documents WHERE organization_id = $1::uuid LIMIT 1
