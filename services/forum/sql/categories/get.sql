SELECT c.id::text AS id, c.name, c.slug, c.description, c.who_can_post, c.first_post_approval,
       c.slow_mode_seconds, c.position,
       (SELECT count(*) FROM forum.threads t JOIN forum.posts op
          ON op.thread_id = t.id AND cardinality(op.path) = 0
         WHERE t.category_id = c.id AND op.status = 'visible')::int AS thread_count,
       extract(epoch from c.created_at)::bigint AS created_s
FROM forum.categories c WHERE c.id = $1::uuid
