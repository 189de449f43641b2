-- Seconds the author ($1) still has to wait in category $2 with slow mode of $3 seconds;
-- NULL when they have not posted there within it.
SELECT ceil($3 - extract(epoch from now() - max(p.created_at)))::int AS wait
FROM forum.posts p JOIN forum.threads t ON t.id = p.thread_id
WHERE p.author_id = $1::uuid AND t.category_id = $2::uuid AND p.created_at > now() - make_interval(secs => $3)
