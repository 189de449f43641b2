-- Extra hours on given dates, as parallel arrays (one element per window).
INSERT INTO appointment.extra_hours (practitioner_id, day, facility_id, organization_id,
    timezone, mode, start_local, end_local, slot_minutes, buffer_before_minutes,
    buffer_after_minutes)
SELECT $1::uuid, r.day::date, r.facility_id::uuid, r.organization_id::uuid, r.timezone, r.mode,
       r.start_local::time, r.end_local::time, r.slot_minutes, r.buffer_before, r.buffer_after
  FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
              $9::int[], $10::int[], $11::int[])
       AS r(day, facility_id, organization_id, timezone, mode, start_local, end_local,
            slot_minutes, buffer_before, buffer_after)
