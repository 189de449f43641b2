INSERT INTO forum.private_posts (thread_id, author_id, author_display_name, body_markdown, body_html)
VALUES ($1::uuid, $2::uuid, $3, $4, $5)
RETURNING id::text AS id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_iso
