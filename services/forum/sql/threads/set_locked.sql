UPDATE forum.threads SET locked = $2 WHERE id = $1::uuid
