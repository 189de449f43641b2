-- A category by id or slug.
SELECT id::text AS id FROM forum.categories WHERE id::text = $1 OR slug = $1
