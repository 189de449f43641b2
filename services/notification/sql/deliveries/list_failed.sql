-- A page of failed deliveries, latest change first ($1 channel or '' for any; $2: after ($3
-- updated_at in microseconds since the epoch, $4 id) of the last row seen; $5: page size + 1).
SELECT d.id::text AS id, coalesce(d.user_id::text, '') AS user_id, d.channel, d.recipient, d.event_type,
       d.locale, d.event_id, d.status, extract(epoch from d.next_attempt_at)::bigint AS next_attempt_s,
       extract(epoch from d.created_at)::bigint AS created_s,
       extract(epoch from d.updated_at)::bigint AS updated_s,
       to_char(d.updated_at, 'YYYY-MM-DD"T"HH24:MI:SS.US') AS updated_text,
       (extract(epoch from d.updated_at) * 1000000)::bigint AS updated_us
FROM notification.deliveries d
WHERE d.status = 'failed' AND ($1 = '' OR d.channel = $1)
  AND (NOT $2::bool OR (d.updated_at, d.id) < (timestamptz 'epoch' + $3::bigint * interval '1 microsecond', $4::uuid))
ORDER BY d.updated_at DESC, d.id DESC
LIMIT $5
