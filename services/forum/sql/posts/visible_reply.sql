-- A visible reply $1 of thread $2 (an answer to accept).
SELECT 1 FROM forum.posts WHERE id = $1::uuid AND thread_id = $2::uuid AND cardinality(path) > 0 AND status = 'visible'
