-- Suspends for $2 seconds (0 lifts the suspension).
UPDATE forum.members SET suspended_until = CASE WHEN $2 = 0 THEN NULL ELSE now() + make_interval(secs => $2) END,
       suspension_reason = $3, suspended_by = $4::uuid, suspended_at = now()
WHERE user_id = $1::uuid
RETURNING extract(epoch from suspended_until)::bigint AS until_s,
          to_char(suspended_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS until_iso,
          extract(epoch from suspended_at)::bigint AS suspended_s
