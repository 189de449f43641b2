-- What an appointment tells the people in it: who (practitioner name and specialty), where
-- (facility name, address, phone, organization) and, for video, where to join. Taken when it
-- is booked (and again when it moves to another facility): it is what the patient agreed to
-- and what the invoice shows, and lists need no call to another service to show it.
ALTER TABLE appointment.appointments ADD COLUMN details jsonb NOT NULL DEFAULT '{}'
  CHECK (jsonb_typeof(details) = 'object');

-- The view gains the details and the instant until which the patient may still cancel or
-- move the appointment online (the practitioner's cutoff, 240 minutes when unset).
CREATE OR REPLACE VIEW appointment.appointment_view WITH (security_invoker = true) AS
SELECT a.id, a.patient_id, a.practitioner_id, a.practitioner_user_id, a.organization_id,
       a.facility_id, a.start_at,
       extract(epoch from a.start_at)::float8 AS start_s,
       extract(epoch from a.end_at)::float8 AS end_s,
       (extract(epoch from a.start_at) * 1000000)::bigint AS start_us,
       a.timezone, a.mode, a.status, a.reason, a.fee_minor, a.currency, a.pay_at_clinic,
       extract(epoch from a.hold_expires_at)::float8 AS hold_expires_s,
       a.is_first_visit, a.cancellation_reason, a.payment_id,
       extract(epoch from a.created_at)::float8 AS created_s,
       extract(epoch from a.updated_at)::float8 AS updated_s,
       (SELECT coalesce(json_agg(json_build_object(
                  'actor_id', h.actor_id, 'from', h.from_status, 'to', h.to_status,
                  'at', extract(epoch from h.at)::float8, 'note', h.note) ORDER BY h.id), '[]')
          FROM appointment.status_history h WHERE h.appointment_id = a.id)::text AS history,
       a.details::text AS details,
       extract(epoch from a.start_at - make_interval(
           mins => coalesce((SELECT av.cancellation_cutoff_minutes FROM appointment.availability av
                              WHERE av.practitioner_id = a.practitioner_id), 240)))::float8
         AS cancellable_until_s
  FROM appointment.appointments a;
