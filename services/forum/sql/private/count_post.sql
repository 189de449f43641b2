UPDATE forum.private_threads SET post_count = post_count + 1, last_post_at = now() WHERE id = $1::uuid
