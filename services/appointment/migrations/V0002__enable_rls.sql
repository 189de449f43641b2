-- Row-level security: an appointment is visible to its patient, its practitioner, and
-- staff of its organization (roles "org_staff:<org>" / "org_admin:<org>" of the caller's
-- verified token, set per transaction); never to another patient.
CREATE FUNCTION appointment.current_subject() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('app.subject_id', true), '')::uuid $$;
CREATE FUNCTION appointment.caller_roles() RETURNS text[] LANGUAGE sql STABLE AS
  $$ SELECT string_to_array(coalesce(current_setting('app.roles', true), ''), ',') $$;

ALTER TABLE appointment.appointments ENABLE ROW LEVEL SECURITY;
ALTER TABLE appointment.appointments FORCE ROW LEVEL SECURITY;
CREATE POLICY appointments_access ON appointment.appointments TO appointment_app
  USING (patient_id = (SELECT appointment.current_subject())
         OR practitioner_user_id = (SELECT appointment.current_subject())
         OR ('org_staff:' || organization_id) = ANY (appointment.caller_roles())
         OR ('org_admin:' || organization_id) = ANY (appointment.caller_roles())
         OR 'system' = ANY (appointment.caller_roles()))
  WITH CHECK (patient_id = (SELECT appointment.current_subject())
              OR practitioner_user_id = (SELECT appointment.current_subject())
              OR ('org_staff:' || organization_id) = ANY (appointment.caller_roles())
              OR ('org_admin:' || organization_id) = ANY (appointment.caller_roles())
              OR 'system' = ANY (appointment.caller_roles()));

ALTER TABLE appointment.waitlist ENABLE ROW LEVEL SECURITY;
ALTER TABLE appointment.waitlist FORCE ROW LEVEL SECURITY;
CREATE POLICY waitlist_access ON appointment.waitlist TO appointment_app
  USING (patient_id = (SELECT appointment.current_subject())
         OR 'system' = ANY (appointment.caller_roles()))
  WITH CHECK (patient_id = (SELECT appointment.current_subject())
              OR 'system' = ANY (appointment.caller_roles()));
