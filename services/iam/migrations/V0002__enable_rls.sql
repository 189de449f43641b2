-- Row-level security (Supabase style). The service sets app.subject_id (the signed-in
-- user) or app.roles = 'system' (sign-in, registration, token flows that have no user
-- yet) per transaction; with neither, iam_app sees no rows at all.
CREATE FUNCTION iam.current_subject() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('app.subject_id', true), '')::uuid $$;
CREATE FUNCTION iam.is_system() RETURNS boolean LANGUAGE sql STABLE AS
  $$ SELECT coalesce(current_setting('app.roles', true), '') = 'system' $$;

ALTER TABLE iam.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE iam.users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_access ON iam.users TO iam_app
  USING (id = (SELECT iam.current_subject()) OR (SELECT iam.is_system()))
  WITH CHECK (id = (SELECT iam.current_subject()) OR (SELECT iam.is_system()));

ALTER TABLE iam.user_roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE iam.user_roles FORCE ROW LEVEL SECURITY;
CREATE POLICY user_roles_read_own ON iam.user_roles FOR SELECT TO iam_app
  USING (user_id = (SELECT iam.current_subject()) OR (SELECT iam.is_system()));
CREATE POLICY user_roles_write_system ON iam.user_roles FOR ALL TO iam_app
  USING ((SELECT iam.is_system())) WITH CHECK ((SELECT iam.is_system()));

ALTER TABLE iam.refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE iam.refresh_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY refresh_tokens_access ON iam.refresh_tokens TO iam_app
  USING (user_id = (SELECT iam.current_subject()) OR (SELECT iam.is_system()))
  WITH CHECK (user_id = (SELECT iam.current_subject()) OR (SELECT iam.is_system()));

ALTER TABLE iam.recovery_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE iam.recovery_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY recovery_codes_access ON iam.recovery_codes TO iam_app
  USING (user_id = (SELECT iam.current_subject()) OR (SELECT iam.is_system()))
  WITH CHECK (user_id = (SELECT iam.current_subject()) OR (SELECT iam.is_system()));

-- The app role may append to the audit log but never rewrite it.
REVOKE UPDATE, DELETE ON iam.audit_log FROM iam_app;
