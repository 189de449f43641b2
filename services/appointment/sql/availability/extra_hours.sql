-- A practitioner's extra hours, by date and start.
SELECT to_char(day, 'YYYY-MM-DD') AS day, facility_id, mode,
       to_char(start_local, 'HH24:MI') AS start_local, to_char(end_local, 'HH24:MI') AS end_local,
       slot_minutes, buffer_before_minutes, buffer_after_minutes
  FROM appointment.extra_hours WHERE practitioner_id = $1::uuid
 ORDER BY day, start_local
