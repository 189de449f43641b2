INSERT INTO forum.categories (name, slug, description, who_can_post, first_post_approval,
                              slow_mode_seconds, position, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::uuid) RETURNING id::text AS id
