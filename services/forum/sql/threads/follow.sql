INSERT INTO forum.follows (thread_id, user_id) VALUES ($1::uuid, $2::uuid) ON CONFLICT DO NOTHING
