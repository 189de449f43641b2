INSERT INTO forum.moderation_log (moderator_id, action, post_id, thread_id, target_user_id, reason, until)
VALUES ($1::uuid, $2, nullif($3, '')::uuid, nullif($4, '')::uuid, nullif($5, '')::uuid, $6,
        nullif($7, '')::timestamptz)
