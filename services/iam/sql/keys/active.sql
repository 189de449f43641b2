SELECT kid, private_key_enc FROM iam.signing_keys WHERE retired_at IS NULL
 ORDER BY created_at DESC LIMIT 1
