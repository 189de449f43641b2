-- A visible reply: one more, and activity now.
UPDATE forum.threads SET reply_count = reply_count + 1, last_activity_at = now() WHERE id = $1::uuid
