-- Whether $1 is an IANA time zone PostgreSQL knows.
SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1) AS known
