-- A practitioner's weekly rules, by weekday and start.
SELECT facility_id, mode, weekday, to_char(start_local, 'HH24:MI') AS start_local,
       to_char(end_local, 'HH24:MI') AS end_local, slot_minutes, buffer_before_minutes,
       buffer_after_minutes
  FROM appointment.weekly_rules WHERE practitioner_id = $1::uuid
 ORDER BY weekday, start_local, id
