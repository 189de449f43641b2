SELECT 1 FROM iam.signing_keys WHERE retired_at IS NULL
