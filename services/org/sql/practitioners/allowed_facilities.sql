-- Of facilities $1, those of organizations where user $2 is a practitioner.
SELECT f.id::text AS id FROM org.facilities f
JOIN org.members m ON m.organization_id = f.organization_id
WHERE f.id = ANY($1::uuid[]) AND m.user_id = $2::uuid AND m.role = 'practitioner'
