-- Marks one of the user's notifications read (the first read time is kept).
UPDATE notification.notifications n SET read_at = coalesce(read_at, now())
WHERE n.id = $1::uuid AND n.user_id = $2::uuid
RETURNING n.id::text AS id, n.category, n.type, n.title, n.body, n.link,
          n.read_at IS NOT NULL AS is_read, extract(epoch from n.read_at)::bigint AS read_s,
          extract(epoch from n.created_at)::bigint AS created_s
