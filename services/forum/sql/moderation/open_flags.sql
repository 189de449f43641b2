SELECT reporter_id::text AS reporter_id, reason, detail, extract(epoch from created_at)::bigint AS created_s
FROM forum.flags WHERE post_id = $1::uuid AND resolved_at IS NULL ORDER BY created_at
