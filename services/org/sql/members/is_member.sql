SELECT 1 AS member FROM org.members
WHERE organization_id = $1::uuid AND user_id = $2::uuid AND role = ANY($3::text[])
