-- Payment holds that ran out, oldest first, locked for this sweep.
SELECT id, practitioner_id, extract(epoch from start_at)::float8 AS start_s,
       extract(epoch from end_at)::float8 AS end_s, facility_id, mode, timezone
  FROM appointment.appointments
 WHERE status = 'pending_payment' AND hold_expires_at <= now()
 ORDER BY hold_expires_at LIMIT 100
   FOR UPDATE SKIP LOCKED
