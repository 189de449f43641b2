-- One member's roles in an organization, each row with when they first joined.
SELECT role, extract(epoch from min(joined_at) OVER ())::bigint AS joined_at
FROM org.members WHERE organization_id = $1::uuid AND user_id = $2::uuid ORDER BY role
