-- A new body; $5, $6: the title and tags for the search document ('' for a reply);
-- $7: a watched word sends it back to review.
UPDATE forum.posts SET body_markdown = $2, body_html = $3, body_text = $4, edited_at = now(),
       search = setweight(to_tsvector('english', $5), 'A') || setweight(to_tsvector('english', $6), 'C') || setweight(to_tsvector('english', $4), 'B'),
       status = CASE WHEN $7 THEN 'pending_review' ELSE status END,
       queue_reason = CASE WHEN $7 THEN 'watched_word' ELSE queue_reason END,
       queued_at = CASE WHEN $7 THEN now() ELSE queued_at END
WHERE id = $1::uuid
