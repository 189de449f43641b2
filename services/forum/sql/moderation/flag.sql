INSERT INTO forum.flags (post_id, reporter_id, reason, detail, weight) VALUES ($1::uuid, $2::uuid, $3, $4, $5)
ON CONFLICT (post_id, reporter_id) DO NOTHING RETURNING id::text AS id
