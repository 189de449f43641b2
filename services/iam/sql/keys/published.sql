SELECT kid, public_key FROM iam.signing_keys
 WHERE retired_at IS NULL OR retired_at > now() - interval '1 hour' ORDER BY created_at DESC
