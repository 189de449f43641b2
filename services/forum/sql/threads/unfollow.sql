DELETE FROM forum.follows WHERE thread_id = $1::uuid AND user_id = $2::uuid
