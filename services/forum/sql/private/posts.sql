SELECT pp.id::text AS id, pp.thread_id::text AS thread_id, pp.author_id::text AS author_id,
       pp.author_display_name, pp.body_markdown, pp.body_html,
       extract(epoch from pp.created_at)::bigint AS created_s, pp.seq
FROM forum.private_posts pp WHERE pp.thread_id = $1::uuid AND pp.seq > $2 ORDER BY pp.seq LIMIT $3
