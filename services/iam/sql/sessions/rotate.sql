UPDATE iam.refresh_tokens SET rotated_at = now() WHERE id = $1::uuid
