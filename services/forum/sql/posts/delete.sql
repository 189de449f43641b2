UPDATE forum.posts SET status = 'deleted', queue_reason = NULL, queued_at = NULL WHERE id = $1::uuid
