UPDATE iam.refresh_tokens SET revoked_at = now(), revoked_reason = 'reuse_detected'
 WHERE family_id = $1::uuid AND revoked_at IS NULL
