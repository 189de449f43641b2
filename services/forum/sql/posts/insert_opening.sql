-- The opening post of thread $1; $8, $9: the thread's title and tags for the search document.
INSERT INTO forum.posts (thread_id, path, author_id, body_markdown, body_html, body_text, status,
                         queue_reason, queued_at, search)
VALUES ($1::uuid, '{}', $2::uuid, $3, $4, $5, $6, nullif($7, ''), CASE WHEN $7 = '' THEN NULL ELSE now() END,
        setweight(to_tsvector('english', $8), 'A') || setweight(to_tsvector('english', $9), 'C') || setweight(to_tsvector('english', $5), 'B'))
