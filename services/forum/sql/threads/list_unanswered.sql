-- Lists show what everyone may see (moderators use the queue for the rest). $1: category id
-- or ''; $2: tag or ''; $3: limit; $4: offset; $5: the caller's id or ''.
SELECT t.id::text AS id, t.category_id::text AS category_id, t.title, t.tags::text AS tags,
       t.author_id::text AS author_id, coalesce(m.display_name, '') AS author_name, op.status,
       t.pinned, t.locked, t.accepted_post_id::text AS accepted_post_id, t.reply_count,
       op.vote_score,
       EXISTS (SELECT 1 FROM forum.follows f WHERE f.thread_id = t.id AND f.user_id =
               nullif($5::text, '')::uuid) AS following,
       left(op.body_text, 400) AS excerpt_text,
       extract(epoch from t.last_activity_at)::bigint AS last_activity_s,
       extract(epoch from t.created_at)::bigint AS created_s, op.id::text AS opening_post_id
FROM forum.threads t JOIN forum.posts op ON op.thread_id = t.id AND cardinality(op.path) = 0
LEFT JOIN forum.members m ON m.user_id = t.author_id
WHERE op.status = 'visible' AND ($1 = '' OR t.category_id = nullif($1, '')::uuid) AND ($2 = '' OR t.tags @> ARRAY[$2]::text[]) AND t.reply_count = 0
ORDER BY t.pinned DESC, t.created_at DESC, t.id LIMIT $3 OFFSET $4
