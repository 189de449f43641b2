SELECT coalesce((SELECT approved_posts FROM forum.members WHERE user_id = $1::uuid), 0)
       AS approved_posts
