UPDATE forum.threads SET pinned = $2 WHERE id = $1::uuid
