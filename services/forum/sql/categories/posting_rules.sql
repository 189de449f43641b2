SELECT who_can_post, first_post_approval, slow_mode_seconds FROM forum.categories WHERE id = $1::uuid
