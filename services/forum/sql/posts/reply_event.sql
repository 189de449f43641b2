-- What forum.reply_created carries about post $1.
SELECT p.thread_id::text AS thread_id, t.title, p.parent_post_id::text AS parent_post_id,
       pp.author_id::text AS parent_author_id, p.author_id::text AS author_id,
       coalesce(m.display_name, '') AS author_name, t.category_id::text AS category_id,
       to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_iso,
       coalesce((SELECT array_agg(f.user_id::text ORDER BY f.created_at) FROM forum.follows f
                 WHERE f.thread_id = p.thread_id AND f.user_id <> p.author_id), '{}')::text AS follower_ids
FROM forum.posts p JOIN forum.threads t ON t.id = p.thread_id
LEFT JOIN forum.posts pp ON pp.id = p.parent_post_id
LEFT JOIN forum.members m ON m.user_id = p.author_id WHERE p.id = $1::uuid
