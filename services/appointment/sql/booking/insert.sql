-- A booking, with everything that goes with it, in one statement: the appointment, its
-- first status-history entry, the audit row, the event (outbox) and, once booked, the
-- 24 h / 1 h reminders. The exclusion constraints refuse an overlap (23P01); the unique
-- (patient, Idempotency-Key) refuses a racing replay (23505).
-- $1 patient, $2 practitioner, $3 practitioner's user, $4 organization, $5 facility,
-- $6 mode, $7/$8 start/end, $9/$10 blocked start/end (epoch s), $11 time zone, $12 status,
-- $13 reason, $14 fee (minor units), $15 currency, $16 pay at clinic, $17 first visit,
-- $18 hold for payment, $19 hold minutes, $20 Idempotency-Key ('' none), $21 request
-- fingerprint, $22 event type, $23 event payload (the id is added here), $24 schedule
-- reminders, $25 client IP, $26 request id, $27 details (who and where, JSON), $28 the
-- event's trace context (traceparent, or NULL).
WITH a AS (
  INSERT INTO appointment.appointments (patient_id, practitioner_id, practitioner_user_id,
      organization_id, facility_id, mode, start_at, end_at, block_start, block_end, timezone,
      status, reason, fee_minor, currency, pay_at_clinic, is_first_visit, hold_expires_at,
      idempotency_key, request_hash, details)
  VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::uuid, $6, to_timestamp($7),
          to_timestamp($8), to_timestamp($9), to_timestamp($10), $11, $12, $13, $14, $15, $16,
          $17, CASE WHEN $18 THEN now() + make_interval(mins => $19) END, nullif($20, ''), $21,
          $27::jsonb)
  RETURNING id, start_at, created_at, updated_at, hold_expires_at
), history AS (
  INSERT INTO appointment.status_history (appointment_id, from_status, to_status, actor_id)
  SELECT id, NULL, $12, $1::uuid FROM a
), audit AS (
  INSERT INTO appointment.audit_log (actor_id, action, appointment_id, client_ip, request_id)
  SELECT $1::uuid, 'appointment.create', id, nullif($25, ''), nullif($26, '') FROM a
), event AS (
  INSERT INTO appointment.outbox (event_id, event_type, aggregate_id, payload, traceparent)
  SELECT gen_random_uuid(), $22, id::text, $23::jsonb || jsonb_build_object('appointment_id', id::text),
         $28
    FROM a
), reminders AS (
  INSERT INTO appointment.reminders (appointment_id, kind, due_at)
  SELECT a.id, k.kind, a.start_at - k.before
    FROM a, (VALUES ('24h', interval '24 hours'), ('1h', interval '1 hour')) AS k(kind, before)
   WHERE $24 AND a.start_at - k.before > now()
)
SELECT id, (extract(epoch from start_at) * 1000000)::bigint AS start_us,
       extract(epoch from created_at)::float8 AS created_s,
       extract(epoch from updated_at)::float8 AS updated_s,
       extract(epoch from hold_expires_at)::float8 AS hold_expires_s,
       extract(epoch from start_at - make_interval(mins => coalesce(
           (SELECT cancellation_cutoff_minutes FROM appointment.availability
             WHERE practitioner_id = $2::uuid), 240)))::float8 AS cancellable_until_s
  FROM a
