-- Cluster bootstrap (superuser, idempotent). Supabase-style least privilege:
--   <svc>_owner  NOLOGIN  owns the schema <svc> and its objects (DDL via migrations)
--   <svc>_app    LOGIN    DML on its own schema only; what the service connects as
--   healthtech_migrator LOGIN, member of every owner, runs migrations with SET ROLE.
-- psql variables: schemas (comma-separated), and <schema>_app_password, migrator_password.
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I NOLOGIN', s || '_owner')
  FROM unnest(string_to_array(:'schemas', ',')) AS s
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = s || '_owner') \gexec

SELECT format('CREATE ROLE %I LOGIN NOINHERIT', s || '_app')
  FROM unnest(string_to_array(:'schemas', ',')) AS s
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = s || '_app') \gexec

SELECT format('GRANT CREATE ON DATABASE %I TO %I', current_database(), s || '_owner')
  FROM unnest(string_to_array(:'schemas', ',')) AS s \gexec

SELECT format('ALTER ROLE %I SET search_path = %I, public', s || '_app', s)
  FROM unnest(string_to_array(:'schemas', ',')) AS s \gexec

SELECT format('ALTER ROLE %I SET statement_timeout = %L', s || '_app', '5s')
  FROM unnest(string_to_array(:'schemas', ',')) AS s \gexec

SELECT 'CREATE ROLE healthtech_migrator LOGIN'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'healthtech_migrator') \gexec

SELECT format('GRANT %I TO healthtech_migrator', s || '_owner')
  FROM unnest(string_to_array(:'schemas', ',')) AS s \gexec

-- Nobody but owners creates objects; the public schema holds only extensions.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON DATABASE :"dbname" FROM PUBLIC;
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), r)
  FROM unnest(string_to_array(:'schemas', ',')) AS s, LATERAL (VALUES (s || '_app')) AS v(r) \gexec
GRANT CONNECT ON DATABASE :"dbname" TO healthtech_migrator;

CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
-- Search near a point (org: facilities' locations, migration V0007).
CREATE EXTENSION IF NOT EXISTS postgis WITH SCHEMA public;
