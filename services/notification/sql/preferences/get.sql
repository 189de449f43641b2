-- The user's stored preferences (no row: the defaults).
SELECT channels::text AS channels, to_char(quiet_start, 'HH24:MI') AS quiet_start,
       to_char(quiet_end, 'HH24:MI') AS quiet_end, quiet_timezone, locale,
       extract(epoch from updated_at)::bigint AS updated_s
FROM notification.preferences WHERE user_id = $1::uuid
