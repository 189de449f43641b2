SELECT e.previous_markdown, extract(epoch from e.edited_at)::float8 AS edited_s,
       coalesce(m.approved_posts, 0) AS author_approved_posts
FROM forum.post_edits e JOIN forum.posts p ON p.id = e.post_id
LEFT JOIN forum.members m ON m.user_id = p.author_id
WHERE e.post_id = $1::uuid ORDER BY e.edited_at DESC, e.id DESC OFFSET $2 LIMIT $3
