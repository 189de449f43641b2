-- Row-level security: rows of an organization are visible to its members and platform
-- admins; verified organizations, their facilities and practitioner profiles are public.
-- Membership is read from org.members (the source of truth), not from token claims,
-- so a new admin acts at once, before their token is refreshed.
CREATE FUNCTION org.current_subject() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('app.subject_id', true), '')::uuid $$;
CREATE FUNCTION org.is_system() RETURNS boolean LANGUAGE sql STABLE AS
  $$ SELECT coalesce(current_setting('app.roles', true), '') = 'system' $$;
CREATE FUNCTION org.is_platform_admin() RETURNS boolean LANGUAGE sql STABLE AS
  $$ SELECT 'platform_admin' = ANY (string_to_array(coalesce(current_setting('app.roles', true), ''), ',')) $$;
-- SECURITY DEFINER so that policies on members can consult members without recursion.
CREATE FUNCTION org.is_member(o uuid, roles text[] DEFAULT NULL) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = org, pg_temp AS
  $$ SELECT EXISTS (SELECT 1 FROM org.members m WHERE m.organization_id = o
                    AND m.user_id = org.current_subject() AND (roles IS NULL OR m.role = ANY (roles))) $$;
REVOKE ALL ON FUNCTION org.is_member(uuid, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION org.is_member(uuid, text[]) TO org_app;
CREATE FUNCTION org.has_members(o uuid) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = org, pg_temp AS
  $$ SELECT EXISTS (SELECT 1 FROM org.members m WHERE m.organization_id = o) $$;
REVOKE ALL ON FUNCTION org.has_members(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION org.has_members(uuid) TO org_app;

ALTER TABLE org.organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE org.organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY organizations_read ON org.organizations FOR SELECT TO org_app
  USING (status = 'verified' OR org.is_member(id) OR (SELECT org.is_platform_admin())
         OR (SELECT org.is_system()) OR created_by = (SELECT org.current_subject()));
CREATE POLICY organizations_insert ON org.organizations FOR INSERT TO org_app
  WITH CHECK (created_by = (SELECT org.current_subject()) OR (SELECT org.is_system()));
CREATE POLICY organizations_update ON org.organizations FOR UPDATE TO org_app
  USING (org.is_member(id, '{org_admin}') OR (SELECT org.is_platform_admin()) OR (SELECT org.is_system()));

ALTER TABLE org.documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE org.documents FORCE ROW LEVEL SECURITY;
CREATE POLICY documents_access ON org.documents TO org_app
  USING (org.is_member(organization_id, '{org_admin,org_staff}') OR (SELECT org.is_platform_admin())
         OR (SELECT org.is_system()))
  WITH CHECK (org.is_member(organization_id, '{org_admin,org_staff}') OR (SELECT org.is_system()));

ALTER TABLE org.invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE org.invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY invitations_access ON org.invitations TO org_app
  USING (org.is_member(organization_id, '{org_admin,org_staff}') OR (SELECT org.is_platform_admin())
         OR (SELECT org.is_system()))
  WITH CHECK (org.is_member(organization_id, '{org_admin}') OR (SELECT org.is_system()));

ALTER TABLE org.members ENABLE ROW LEVEL SECURITY;
-- Not FORCEd: org.is_member() (SECURITY DEFINER, owned by org_owner) must read it.
-- org_owner cannot log in; org_app stays subject to the policies below.
CREATE POLICY members_read ON org.members FOR SELECT TO org_app
  USING (user_id = (SELECT org.current_subject()) OR org.is_member(organization_id)
         OR (SELECT org.is_platform_admin()) OR (SELECT org.is_system()));
-- The creator of an organization becomes its first admin, and only while it has no members.
CREATE POLICY members_first_admin ON org.members FOR INSERT TO org_app
  WITH CHECK (role = 'org_admin' AND user_id = (SELECT org.current_subject())
              AND NOT org.has_members(organization_id)
              AND EXISTS (SELECT 1 FROM org.organizations o WHERE o.id = organization_id
                          AND o.created_by = (SELECT org.current_subject())));
CREATE POLICY members_write ON org.members FOR ALL TO org_app
  USING (org.is_member(organization_id, '{org_admin}') OR (SELECT org.is_system()))
  WITH CHECK (org.is_member(organization_id, '{org_admin}') OR (SELECT org.is_system()));
