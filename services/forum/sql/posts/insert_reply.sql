-- A reply under parent $2 ('' for a top-level reply) whose path is $3; $10 is '' (a reply
-- has no title or tags of its own in the search document).
WITH s AS (SELECT nextval(pg_get_serial_sequence('forum.posts', 'seq')) AS seq)
INSERT INTO forum.posts (seq, thread_id, parent_post_id, path, author_id, body_markdown, body_html,
                         body_text, status, queue_reason, queued_at, search)
SELECT s.seq, $1::uuid, nullif($2, '')::uuid, $3::bigint[] || s.seq, $4::uuid, $5, $6, $7, $8,
       nullif($9, ''), CASE WHEN $9 = '' THEN NULL ELSE now() END, setweight(to_tsvector('english', $10), 'A') || setweight(to_tsvector('english', $10), 'C') || setweight(to_tsvector('english', $7), 'B')
FROM s RETURNING id::text AS id
