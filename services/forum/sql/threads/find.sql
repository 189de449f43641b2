-- A thread the caller sees ($2: the caller is a moderator; $3: the caller's id or '').
SELECT t.id::text AS id, t.category_id::text AS category_id, t.title, t.tags::text AS tags,
       t.author_id::text AS author_id, coalesce(m.display_name, '') AS author_name, op.status,
       t.pinned, t.locked, t.accepted_post_id::text AS accepted_post_id, t.reply_count,
       op.vote_score,
       EXISTS (SELECT 1 FROM forum.follows f WHERE f.thread_id = t.id AND f.user_id =
               nullif($3::text, '')::uuid) AS following,
       left(op.body_text, 400) AS excerpt_text,
       extract(epoch from t.last_activity_at)::bigint AS last_activity_s,
       extract(epoch from t.created_at)::bigint AS created_s, op.id::text AS opening_post_id
FROM forum.threads t JOIN forum.posts op ON op.thread_id = t.id AND cardinality(op.path) = 0
LEFT JOIN forum.members m ON m.user_id = t.author_id
WHERE t.id = $1::uuid AND (op.status IN ('visible', 'deleted') OR $2::boolean OR (op.status = 'pending_review' AND op.author_id = nullif($3::text, '')::uuid))
