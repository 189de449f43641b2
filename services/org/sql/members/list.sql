-- An organization's members, one row per user, after user $2 ('' from the start).
SELECT m.user_id::text AS user_id, array_agg(m.role ORDER BY m.role)::text AS roles,
       extract(epoch from min(m.joined_at))::bigint AS joined_at,
       (SELECT p.id::text FROM org.practitioners p WHERE p.user_id = m.user_id) AS practitioner_id
FROM org.members m
WHERE m.organization_id = $1::uuid AND ($2 = '' OR m.user_id > $2::uuid)
GROUP BY m.user_id ORDER BY m.user_id LIMIT $3
