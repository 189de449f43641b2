INSERT INTO iam.sign_in_devices (user_id, fingerprint, user_agent, first_ip)
VALUES ($1::uuid, $2, $3, $4) ON CONFLICT (user_id, fingerprint)
DO UPDATE SET last_seen_at = now()
RETURNING xmax = 0 AS is_new, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS signed_in_at
