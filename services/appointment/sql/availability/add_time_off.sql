-- Time off, as parallel arrays (facility '' means every facility).
INSERT INTO appointment.time_off (practitioner_id, start_date, end_date, facility_id, note)
SELECT $1::uuid, r.start_date::date, r.end_date::date, nullif(r.facility_id, '')::uuid, r.note
  FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])
       AS r(start_date, end_date, facility_id, note)
