-- Stores the user's preferences: $2 channels merged per category into what is stored; quiet
-- hours set ($3, then $4 start, $5 end, $6 zone) or cleared ($7) or kept; locale $8 ('' keeps).
INSERT INTO notification.preferences AS p (user_id, channels, quiet_start, quiet_end, quiet_timezone, locale)
VALUES ($1::uuid, $2::jsonb, nullif($4, '')::time, nullif($5, '')::time, nullif($6, ''), coalesce(nullif($8, ''), 'en'))
ON CONFLICT (user_id) DO UPDATE SET
  channels = (SELECT coalesce(jsonb_object_agg(k, coalesce(p.channels -> k, '{}') || coalesce($2::jsonb -> k, '{}')), '{}')
              FROM (SELECT jsonb_object_keys(p.channels) UNION SELECT jsonb_object_keys($2::jsonb)) AS keys(k)),
  quiet_start = CASE WHEN $3 THEN nullif($4, '')::time WHEN $7 THEN NULL ELSE p.quiet_start END,
  quiet_end = CASE WHEN $3 THEN nullif($5, '')::time WHEN $7 THEN NULL ELSE p.quiet_end END,
  quiet_timezone = CASE WHEN $3 THEN nullif($6, '') WHEN $7 THEN NULL ELSE p.quiet_timezone END,
  locale = coalesce(nullif($8, ''), p.locale),
  updated_at = now()
