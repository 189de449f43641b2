UPDATE forum.members SET approved_posts = approved_posts + 1 WHERE user_id = $1::uuid
