-- Post $1 locked for an edit, and whether it is still within the edit window ($2 seconds).
SELECT p.status, p.body_markdown, p.created_at > now() - make_interval(secs => $2) AS in_window,
       cardinality(p.path) = 0 AS opening, t.title, array_to_string(t.tags, ' ') AS tags,
       coalesce(m.approved_posts, 0) AS author_approved_posts
FROM forum.posts p JOIN forum.threads t ON t.id = p.thread_id
LEFT JOIN forum.members m ON m.user_id = p.author_id WHERE p.id = $1::uuid FOR UPDATE OF p
