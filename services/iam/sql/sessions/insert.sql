INSERT INTO iam.refresh_tokens (family_id, parent_id, user_id, token_hash, amr, aal, expires_at)
VALUES ($1::uuid, nullif($2,'')::uuid, $3::uuid, $4, $5::text[], $6, now() + make_interval(days => $7))
