INSERT INTO forum.private_posts AS pp (thread_id, author_id, author_display_name, body_markdown, body_html)
VALUES ($1::uuid, $2::uuid, $3, $4, $5)
RETURNING pp.id::text AS id, pp.thread_id::text AS thread_id, pp.author_id::text AS author_id,
       pp.author_display_name, pp.body_markdown, pp.body_html,
       extract(epoch from pp.created_at)::bigint AS created_s, pp.seq,
          to_char(pp.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_iso
