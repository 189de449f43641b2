SELECT status FROM forum.posts WHERE id = $1::uuid FOR UPDATE
