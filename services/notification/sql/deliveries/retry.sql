-- Queues a failed delivery again, from its first attempt (no row unless it failed).
UPDATE notification.deliveries d SET status = 'pending', attempts = 0, next_attempt_at = now(), updated_at = now()
WHERE d.id = $1::uuid AND d.status = 'failed'
RETURNING d.id::text AS id, coalesce(d.user_id::text, '') AS user_id, d.channel, d.recipient, d.event_type,
          d.locale, d.event_id, d.status, extract(epoch from d.next_attempt_at)::bigint AS next_attempt_s,
          extract(epoch from d.created_at)::bigint AS created_s,
          extract(epoch from d.updated_at)::bigint AS updated_s,
          to_char(d.updated_at, 'YYYY-MM-DD"T"HH24:MI:SS.US') AS updated_text
