UPDATE iam.mfa_challenges SET used_at = now() WHERE token_hash = $1
