-- A page of the user's inbox, newest first ($2: unread only; $3: after ($4 created_at in
-- microseconds since the epoch, $5 id) of the last row seen; $6: page size + 1).
SELECT n.id::text AS id, n.category, n.type, n.title, n.body, n.link,
       n.read_at IS NOT NULL AS is_read, extract(epoch from n.read_at)::bigint AS read_s,
       extract(epoch from n.created_at)::bigint AS created_s,
       (extract(epoch from n.created_at) * 1000000)::bigint AS created_us
FROM notification.notifications n
WHERE n.user_id = $1::uuid AND (NOT $2 OR n.read_at IS NULL)
  AND (NOT $3::bool OR (n.created_at, n.id) < (timestamptz 'epoch' + $4::bigint * interval '1 microsecond', $5::uuid))
ORDER BY n.created_at DESC, n.id DESC
LIMIT $6
