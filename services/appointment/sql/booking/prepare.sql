-- The first statement of a booking. Serializes bookings of one slot — the second sees the
-- first's row and answers 409 at once, where two inserts racing through the exclusion
-- constraint would wait on each other until the deadlock detector (1 s) rolls one back —
-- and, with a daily cap, every booking of the practitioner, so the count cannot be passed
-- twice. Also finds an earlier booking under the same Idempotency-Key, and whether this
-- is the patient's first visit to the practitioner (it decides the fee).
-- $1 practitioner, $2 start (whole seconds), $3 patient, $4 Idempotency-Key ('' none).
SELECT pg_advisory_xact_lock(hashtext($1 || '@' || $2::text)) AS slot_lock,
       (SELECT pg_advisory_xact_lock(hashtext($1)) FROM appointment.availability
         WHERE practitioner_id = $1::uuid AND max_bookings_per_day IS NOT NULL) AS day_lock,
       p.id AS prior_id, p.request_hash AS prior_hash,
       NOT EXISTS (SELECT 1 FROM appointment.appointments a
                    WHERE a.patient_id = $3::uuid AND a.practitioner_id = $1::uuid
                      AND a.status IN ('booked', 'checked_in', 'in_progress', 'completed'))
         AS first_visit
  FROM (SELECT 1) one
  LEFT JOIN appointment.appointments p ON p.patient_id = $3::uuid AND p.idempotency_key = $4
