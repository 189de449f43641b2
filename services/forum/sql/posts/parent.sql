-- The post replied to, in thread $2, if the caller sees it ($3, $4: as in posts/find).
SELECT p.id::text AS id, p.path::text AS path, cardinality(p.path) AS depth, p.status
FROM forum.posts p WHERE p.id = $1::uuid AND p.thread_id = $2::uuid AND (p.status IN ('visible', 'deleted') OR $3::boolean OR (p.status = 'pending_review' AND p.author_id = nullif($4::text, '')::uuid))
