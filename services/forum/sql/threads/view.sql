-- The thread view: the opening post and a page of top-level replies ($2: after this seq,
-- $3: how many) with their subtrees, in tree order, each row with the thread's own columns.
-- $4: the caller is a moderator; $5: the caller's id or ''. The same visibility rule as
-- posts/find. Run with EXECUTE in one round trip (pg::ReadOnce).
WITH top AS (SELECT p.seq FROM forum.posts p WHERE p.thread_id = $1::uuid AND
             cardinality(p.path) = 1 AND p.seq > $2::bigint AND (p.status IN ('visible', 'deleted') OR
             $4::boolean OR (p.status = 'pending_review' AND p.author_id = nullif($5::text, '')::uuid))
             ORDER BY p.seq LIMIT $3::int)
SELECT p.id::text AS id, p.thread_id::text AS thread_id, p.parent_post_id::text AS parent_post_id,
       cardinality(p.path) AS depth, p.author_id::text AS author_id,
       coalesce(m.display_name, '') AS author_name, p.body_markdown, p.body_html,
       coalesce(m.approved_posts, 0) AS author_approved_posts, p.vote_score,
       coalesce(v.value, 0) AS my_vote, p.status,
       coalesce(t.accepted_post_id = p.id, false) AS accepted,
       extract(epoch from p.created_at)::bigint AS created_s,
       extract(epoch from p.edited_at)::bigint AS edited_s, p.seq, coalesce(p.path[1], 0) AS top_seq,
       p.queue_reason, p.flag_weight, extract(epoch from p.queued_at)::bigint AS queued_s,
       t.title AS thread_title, t.category_id::text AS category_id,
       t.tags::text AS tags, t.pinned, t.locked, t.accepted_post_id::text AS accepted_post_id,
       t.reply_count, EXISTS (SELECT 1 FROM forum.follows f WHERE f.thread_id = t.id AND
       f.user_id = nullif($5::text, '')::uuid) AS following, left(p.body_text, 400) AS excerpt_text,
       extract(epoch from t.last_activity_at)::bigint AS last_activity_s,
       extract(epoch from t.created_at)::bigint AS thread_created_s
FROM forum.posts p JOIN forum.threads t ON t.id = p.thread_id
LEFT JOIN forum.members m ON m.user_id = p.author_id
LEFT JOIN forum.votes v ON v.post_id = p.id AND v.user_id = nullif($5::text, '')::uuid
WHERE p.thread_id = $1::uuid AND (p.status IN ('visible', 'deleted') OR $4::boolean OR
      (p.status = 'pending_review' AND p.author_id = nullif($5::text, '')::uuid)) AND
      (cardinality(p.path) = 0 OR p.path[1] IN (SELECT seq FROM top)) ORDER BY p.path
