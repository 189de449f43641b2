UPDATE forum.threads SET reply_count = (SELECT count(*) FROM forum.posts WHERE thread_id = $1::uuid
       AND cardinality(path) > 0 AND status = 'visible') WHERE id = $1::uuid
