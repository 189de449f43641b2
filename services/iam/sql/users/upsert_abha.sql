WITH new AS (
  INSERT INTO iam.users (abha_address, full_name, phone, email_verified_at)
  VALUES ($1, $2, nullif($3, ''), NULL)
  ON CONFLICT (abha_address) DO NOTHING RETURNING id
)
SELECT id::text AS id, true AS created FROM new
UNION ALL
SELECT id::text, false FROM iam.users WHERE abha_address = $1
