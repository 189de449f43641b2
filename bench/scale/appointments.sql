-- bench/scale/appointments.sql — the appointment service's side of bench/scale.sh (issue 19):
-- availability for the :n practitioners of bench/scale/org.sql (Monday to Saturday, a morning
-- and an evening block for nine in ten, 15-minute slots, at their first facility, in IST) and
-- :m appointments spread over the last 60 and the next 30 days (past ones completed, cancelled
-- or no-show; future ones booked, a few cancelled), each practitioner's at distinct times.
-- Triggers are off while loading (session_replication_role = replica): the busy blocks that
-- slot listing reads are written here as the trigger would, and the org service's free days
-- come from org.sql, so nothing is queued for publication. Run as the superuser:
--   psql -v n=100000 -v orgs=2000 -v m=2000000 -f bench/scale/appointments.sql
\set ON_ERROR_STOP on
SET synchronous_commit = off;
SET session_replication_role = replica;
BEGIN;
INSERT INTO appointment.availability (practitioner_id, practitioner_user_id, timezone,
  min_notice_minutes, horizon_days, cancellation_cutoff_minutes, updated_by, free_days_through)
SELECT md5('scale-pr-' || i)::uuid, md5('scale-user-' || i)::uuid, 'Asia/Kolkata', 60, 60, 240,
       md5('scale-user-' || i)::uuid,
       (now() AT TIME ZONE 'Asia/Kolkata')::date + 61
FROM generate_series(0, :n - 1) i;

INSERT INTO appointment.weekly_rules (practitioner_id, facility_id, organization_id, timezone,
  mode, weekday, start_local, end_local, slot_minutes)
SELECT md5('scale-pr-' || i)::uuid, md5('scale-fac-' || (i % :orgs))::uuid,
       md5('scale-org-' || (i % :orgs))::uuid, 'Asia/Kolkata',
       CASE WHEN i % 3 = 2 THEN 'video' ELSE 'in_person' END, wd, b.s, b.e, 15
FROM generate_series(0, :n - 1) i, generate_series(1, 6) wd,
     (VALUES (time '09:00', time '13:00', 0), (time '16:00', time '20:00', 1)) b(s, e, evening)
WHERE b.evening = 0 OR i % 10 <> 0;

-- Appointment j of practitioner i: on day -60 + 4j + i % 4 (distinct days), at one of the
-- morning's 16 quarter hours.
INSERT INTO appointment.appointments (id, patient_id, practitioner_id, practitioner_user_id,
  organization_id, facility_id, mode, start_at, end_at, block_start, block_end, timezone, status,
  fee_minor, currency, pay_at_clinic, is_first_visit, created_at, updated_at)
SELECT md5('scale-appt-' || k)::uuid, md5('scale-patient-' || k)::uuid, md5('scale-pr-' || i)::uuid,
       md5('scale-user-' || i)::uuid, md5('scale-org-' || (i % :orgs))::uuid,
       md5('scale-fac-' || (i % :orgs))::uuid,
       CASE WHEN i % 3 = 2 THEN 'video' ELSE 'in_person' END,
       t, t + interval '15 minutes', t, t + interval '15 minutes', 'Asia/Kolkata',
       CASE WHEN t < now() THEN (ARRAY['completed','completed','completed','completed','completed',
                                       'completed','cancelled','no_show'])[1 + k % 8]
            WHEN k % 10 = 0 THEN 'cancelled' ELSE 'booked' END,
       50000, 'INR', k % 2 = 0, k % 3 <> 0, t - interval '3 days', t - interval '3 days'
FROM (
  SELECT i, j, i::bigint * per + j AS k,
         ((current_date - 60 + 4 * j + i % 4) + time '09:00' + ((i * 7 + j * 3) % 16) * interval '15 minutes')
           AT TIME ZONE 'Asia/Kolkata' AS t
  FROM (SELECT greatest(1, ceil(:m::numeric / :n))::int AS per) c,
       generate_series(0, :n - 1) i, generate_series(0, per - 1) j
) a
WHERE k < :m;

INSERT INTO appointment.busy_blocks (appointment_id, practitioner_id, block, local_day)
SELECT id, practitioner_id, tstzrange(block_start, block_end), (start_at AT TIME ZONE timezone)::date
FROM appointment.appointments
WHERE status IN ('pending_payment', 'booked', 'checked_in', 'in_progress')
ON CONFLICT (appointment_id) DO NOTHING;
COMMIT;
RESET session_replication_role;
VACUUM (ANALYZE) appointment.availability, appointment.weekly_rules, appointment.appointments,
  appointment.busy_blocks;
SELECT (SELECT count(*) FROM appointment.weekly_rules) AS weekly_rules,
       (SELECT count(*) FROM appointment.appointments) AS appointments,
       (SELECT count(*) FROM appointment.busy_blocks) AS busy_blocks;
