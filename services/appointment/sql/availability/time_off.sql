-- A practitioner's time off, by start date.
SELECT to_char(start_date, 'YYYY-MM-DD') AS start_date, to_char(end_date, 'YYYY-MM-DD') AS end_date,
       coalesce(facility_id::text, '') AS facility_id, note
  FROM appointment.time_off WHERE practitioner_id = $1::uuid
 ORDER BY start_date
