-- A flag of weight $2 queues the post, and hides it at the threshold $3.
UPDATE forum.posts SET flag_weight = flag_weight + $2, queue_reason = coalesce(queue_reason, 'flagged'),
       queued_at = coalesce(queued_at, now()),
       status = CASE WHEN status = 'visible' AND flag_weight + $2 >= $3 THEN 'hidden' ELSE status END
WHERE id = $1::uuid RETURNING status
