UPDATE iam.mfa_challenges SET attempts = attempts + 1 WHERE token_hash = $1
