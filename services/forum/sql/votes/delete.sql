DELETE FROM forum.votes WHERE post_id = $1::uuid AND user_id = $2::uuid
