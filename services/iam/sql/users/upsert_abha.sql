-- The account of an ABHA address, created when there is none. DO UPDATE (a no-op write)
-- rather than DO NOTHING: a concurrent first use that commits while this one waits is then
-- returned too (DO NOTHING would return no row, and a SELECT in this statement would not see
-- it under the statement's snapshot). xmax = 0 only on the row this statement inserted.
INSERT INTO iam.users (abha_address, full_name)
VALUES ($1, $2)
ON CONFLICT (abha_address) DO UPDATE SET abha_address = EXCLUDED.abha_address
RETURNING id::text AS id, (xmax = 0) AS created
