INSERT INTO forum.threads (category_id, title, tags, author_id)
VALUES ($1::uuid, $2, $3::text[], $4::uuid) RETURNING id::text AS id
