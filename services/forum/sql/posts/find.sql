-- A post the caller sees ($2: the caller is a moderator; $3: the caller's id or ''):
-- moderators see everything; others see visible and deleted posts (deleted ones as
-- placeholders) and their own pending ones.
SELECT p.id::text AS id, p.thread_id::text AS thread_id, p.parent_post_id::text AS parent_post_id,
       cardinality(p.path) AS depth, p.author_id::text AS author_id,
       coalesce(m.display_name, '') AS author_name, p.body_markdown, p.body_html,
       coalesce(m.approved_posts, 0) AS author_approved_posts, p.vote_score,
       coalesce(v.value, 0) AS my_vote, p.status,
       coalesce(t.accepted_post_id = p.id, false) AS accepted,
       extract(epoch from p.created_at)::bigint AS created_s,
       extract(epoch from p.edited_at)::bigint AS edited_s, p.seq, coalesce(p.path[1], 0) AS top_seq,
       p.queue_reason, p.flag_weight, extract(epoch from p.queued_at)::bigint AS queued_s,
       t.title AS thread_title, t.category_id::text AS category_id
FROM forum.posts p JOIN forum.threads t ON t.id = p.thread_id
LEFT JOIN forum.members m ON m.user_id = p.author_id
LEFT JOIN forum.votes v ON v.post_id = p.id AND v.user_id = nullif($3::text, '')::uuid
WHERE p.id = $1::uuid AND (p.status IN ('visible', 'deleted') OR $2::boolean OR (p.status = 'pending_review' AND p.author_id = nullif($3::text, '')::uuid))
