SELECT 1 FROM forum.categories WHERE lower(name) = lower($1) OR slug = $2
