SELECT locked FROM forum.threads WHERE id = $1::uuid FOR UPDATE
