-- Appointments: availability (weekly rules, extra hours, time off), bookings with a
-- database-enforced no-overlap guarantee, status history, reminders, waitlist, outbox,
-- audit. Runs as appointment_owner.
GRANT USAGE ON SCHEMA appointment TO appointment_app;
ALTER DEFAULT PRIVILEGES FOR ROLE appointment_owner IN SCHEMA appointment
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO appointment_app;
ALTER DEFAULT PRIVILEGES FOR ROLE appointment_owner IN SCHEMA appointment
  GRANT USAGE, SELECT ON SEQUENCES TO appointment_app;
GRANT SELECT ON appointment.schema_migrations TO appointment_app;

CREATE TABLE appointment.availability (
  practitioner_id uuid PRIMARY KEY,
  practitioner_user_id uuid NOT NULL,
  timezone text NOT NULL,
  min_notice_minutes integer NOT NULL DEFAULT 120 CHECK (min_notice_minutes BETWEEN 0 AND 43200),
  horizon_days integer NOT NULL DEFAULT 60 CHECK (horizon_days BETWEEN 1 AND 366),
  max_bookings_per_day integer CHECK (max_bookings_per_day IS NULL OR max_bookings_per_day > 0),
  cancellation_cutoff_minutes integer NOT NULL DEFAULT 240 CHECK (cancellation_cutoff_minutes BETWEEN 0 AND 43200),
  updated_by uuid NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE appointment.weekly_rules (
  id bigserial PRIMARY KEY,
  practitioner_id uuid NOT NULL REFERENCES appointment.availability (practitioner_id) ON DELETE CASCADE,
  facility_id uuid NOT NULL,
  organization_id uuid NOT NULL,
  timezone text NOT NULL,
  mode text NOT NULL CHECK (mode IN ('in_person', 'video')),
  weekday integer NOT NULL CHECK (weekday BETWEEN 1 AND 7),  -- ISO: Monday = 1
  start_local time NOT NULL,
  end_local time NOT NULL CHECK (end_local > start_local),
  slot_minutes integer NOT NULL CHECK (slot_minutes BETWEEN 5 AND 480),
  buffer_before_minutes integer NOT NULL DEFAULT 0 CHECK (buffer_before_minutes BETWEEN 0 AND 120),
  buffer_after_minutes integer NOT NULL DEFAULT 0 CHECK (buffer_after_minutes BETWEEN 0 AND 120)
);
CREATE INDEX weekly_rules_practitioner_idx ON appointment.weekly_rules (practitioner_id);

CREATE TABLE appointment.extra_hours (
  id bigserial PRIMARY KEY,
  practitioner_id uuid NOT NULL REFERENCES appointment.availability (practitioner_id) ON DELETE CASCADE,
  day date NOT NULL,
  facility_id uuid NOT NULL,
  organization_id uuid NOT NULL,
  timezone text NOT NULL,
  mode text NOT NULL CHECK (mode IN ('in_person', 'video')),
  start_local time NOT NULL,
  end_local time NOT NULL CHECK (end_local > start_local),
  slot_minutes integer NOT NULL CHECK (slot_minutes BETWEEN 5 AND 480),
  buffer_before_minutes integer NOT NULL DEFAULT 0 CHECK (buffer_before_minutes BETWEEN 0 AND 120),
  buffer_after_minutes integer NOT NULL DEFAULT 0 CHECK (buffer_after_minutes BETWEEN 0 AND 120)
);
CREATE INDEX extra_hours_practitioner_idx ON appointment.extra_hours (practitioner_id, day);

CREATE TABLE appointment.time_off (
  id bigserial PRIMARY KEY,
  practitioner_id uuid NOT NULL REFERENCES appointment.availability (practitioner_id) ON DELETE CASCADE,
  start_date date NOT NULL,
  end_date date NOT NULL CHECK (end_date >= start_date),
  facility_id uuid,  -- NULL: every facility
  note text NOT NULL DEFAULT ''
);
CREATE INDEX time_off_practitioner_idx ON appointment.time_off (practitioner_id);

CREATE TABLE appointment.appointments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  patient_id uuid NOT NULL,
  practitioner_id uuid NOT NULL,
  practitioner_user_id uuid NOT NULL,
  organization_id uuid NOT NULL,
  facility_id uuid NOT NULL,
  mode text NOT NULL CHECK (mode IN ('in_person', 'video')),
  start_at timestamptz NOT NULL,
  end_at timestamptz NOT NULL CHECK (end_at > start_at),
  -- The practitioner's time this booking takes: the consultation plus its buffers.
  block_start timestamptz NOT NULL CHECK (block_start <= start_at),
  block_end timestamptz NOT NULL CHECK (block_end >= end_at),
  timezone text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending_payment', 'booked', 'checked_in', 'in_progress',
                                         'completed', 'cancelled', 'no_show', 'expired')),
  reason text NOT NULL DEFAULT '' CHECK (length(reason) <= 1000),
  fee_minor bigint NOT NULL DEFAULT 0 CHECK (fee_minor >= 0),
  currency text NOT NULL DEFAULT 'INR',
  pay_at_clinic boolean NOT NULL DEFAULT false,
  is_first_visit boolean NOT NULL DEFAULT true,
  hold_expires_at timestamptz,
  cancellation_reason text,
  payment_id text,
  idempotency_key text,
  request_hash text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (patient_id, idempotency_key),
  -- No double booking, ever: two active bookings of one practitioner never overlap.
  CONSTRAINT appointments_no_practitioner_overlap EXCLUDE USING gist (
    practitioner_id WITH =, tstzrange(block_start, block_end) WITH &&)
    WHERE (status IN ('pending_payment', 'booked', 'checked_in', 'in_progress')),
  -- Nor two active appointments of one patient.
  CONSTRAINT appointments_no_patient_overlap EXCLUDE USING gist (
    patient_id WITH =, tstzrange(start_at, end_at) WITH &&)
    WHERE (status IN ('pending_payment', 'booked', 'checked_in', 'in_progress'))
);
CREATE INDEX appointments_patient_idx ON appointment.appointments (patient_id, start_at);
CREATE INDEX appointments_practitioner_user_idx ON appointment.appointments (practitioner_user_id, start_at);
CREATE INDEX appointments_org_idx ON appointment.appointments (organization_id, start_at);
CREATE INDEX appointments_hold_idx ON appointment.appointments (hold_expires_at) WHERE status = 'pending_payment';

CREATE TABLE appointment.status_history (
  id bigserial PRIMARY KEY,
  appointment_id uuid NOT NULL REFERENCES appointment.appointments (id) ON DELETE CASCADE,
  from_status text,
  to_status text NOT NULL,
  actor_id uuid,  -- NULL: the system (hold expiry)
  note text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX status_history_appointment_idx ON appointment.status_history (appointment_id, id);

CREATE TABLE appointment.reminders (
  appointment_id uuid NOT NULL REFERENCES appointment.appointments (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('24h', '1h')),
  due_at timestamptz NOT NULL,
  sent_at timestamptz,
  PRIMARY KEY (appointment_id, kind)
);
CREATE INDEX reminders_due_idx ON appointment.reminders (due_at) WHERE sent_at IS NULL;

CREATE TABLE appointment.waitlist (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  practitioner_id uuid NOT NULL,
  patient_id uuid NOT NULL,
  date_from date NOT NULL,
  date_to date NOT NULL CHECK (date_to >= date_from),
  mode text CHECK (mode IN ('in_person', 'video')),
  facility_id uuid,
  status text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'offered', 'booked', 'expired', 'cancelled')),
  offered_start timestamptz,
  offered_end timestamptz,
  offered_facility_id uuid,
  offered_mode text,
  offered_timezone text,
  offer_expires_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX waitlist_practitioner_idx ON appointment.waitlist (practitioner_id, status, created_at);

CREATE TABLE appointment.outbox (
  id bigserial PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  event_type text NOT NULL,
  aggregate_id text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX outbox_unpublished_idx ON appointment.outbox (id) WHERE published_at IS NULL;

-- Every read and write of an appointment (DESIGN.md: who, what, when, from where).
CREATE TABLE appointment.audit_log (
  id bigserial PRIMARY KEY,
  actor_id uuid,
  action text NOT NULL,
  appointment_id uuid,
  client_ip text,
  request_id text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_appointment_idx ON appointment.audit_log (appointment_id, at);
REVOKE UPDATE, DELETE ON appointment.audit_log FROM appointment_app;
REVOKE UPDATE, DELETE ON appointment.status_history FROM appointment_app;

-- Candidate slots of a practitioner between two instants, from weekly rules and extra
-- hours, minus time off; local wall-clock times are turned into instants in each
-- facility's IANA zone by PostgreSQL, so daylight-saving changes are handled exactly.
CREATE FUNCTION appointment.candidate_slots(p uuid, t_from timestamptz, t_to timestamptz)
RETURNS TABLE (slot_start timestamptz, slot_end timestamptz, block_start timestamptz,
               block_end timestamptz, facility_id uuid, organization_id uuid, mode text,
               timezone text, local_day date)
LANGUAGE sql STABLE AS $$
  WITH windows AS (
    SELECT r.facility_id, r.organization_id, r.mode, r.timezone, r.slot_minutes,
           r.buffer_before_minutes AS bb, r.buffer_after_minutes AS ba, d::date AS local_day,
           (d::date + r.start_local) AT TIME ZONE r.timezone AS w_start,
           (d::date + r.end_local) AT TIME ZONE r.timezone AS w_end
      FROM appointment.weekly_rules r
     CROSS JOIN LATERAL generate_series((t_from AT TIME ZONE r.timezone)::date - 1,
                                        (t_to AT TIME ZONE r.timezone)::date + 1,
                                        interval '1 day') AS d
     WHERE r.practitioner_id = p AND extract(isodow FROM d) = r.weekday
    UNION ALL
    SELECT e.facility_id, e.organization_id, e.mode, e.timezone, e.slot_minutes,
           e.buffer_before_minutes, e.buffer_after_minutes, e.day,
           (e.day + e.start_local) AT TIME ZONE e.timezone,
           (e.day + e.end_local) AT TIME ZONE e.timezone
      FROM appointment.extra_hours e
     WHERE e.practitioner_id = p AND e.day BETWEEN (t_from - interval '2 days')::date
                                               AND (t_to + interval '2 days')::date
  )
  SELECT s, s + make_interval(mins => w.slot_minutes), s - make_interval(mins => w.bb),
         s + make_interval(mins => w.slot_minutes + w.ba), w.facility_id, w.organization_id,
         w.mode, w.timezone, w.local_day
    FROM windows w
   CROSS JOIN LATERAL generate_series(w.w_start + make_interval(mins => w.bb),
                                      w.w_end - make_interval(mins => w.slot_minutes + w.ba),
                                      make_interval(mins => w.slot_minutes + w.bb + w.ba)) AS s
   WHERE s >= t_from AND s < t_to
     AND NOT EXISTS (SELECT 1 FROM appointment.time_off o
                      WHERE o.practitioner_id = p
                        AND (o.facility_id IS NULL OR o.facility_id = w.facility_id)
                        AND w.local_day BETWEEN o.start_date AND o.end_date)
$$;
