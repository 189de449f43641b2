INSERT INTO forum.votes (post_id, user_id, value) VALUES ($1::uuid, $2::uuid, $3)
ON CONFLICT (post_id, user_id) DO UPDATE SET value = $3, updated_at = now()
