UPDATE forum.threads SET last_activity_at = now() WHERE id = $1::uuid
