SELECT id::text AS id FROM forum.posts WHERE thread_id = $1::uuid AND cardinality(path) = 0
