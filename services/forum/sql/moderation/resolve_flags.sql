UPDATE forum.flags SET resolved_at = now() WHERE post_id = $1::uuid AND resolved_at IS NULL
