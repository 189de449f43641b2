SELECT id::text AS id FROM iam.users WHERE email = ANY($1::text[]) OR id::text = ANY($2::text[])
 ORDER BY email
