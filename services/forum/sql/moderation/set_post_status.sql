UPDATE forum.posts SET status = $2, queue_reason = NULL, queued_at = NULL, flag_weight = 0 WHERE id = $1::uuid
