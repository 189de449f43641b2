-- The free-slot query: candidate slots minus notice/horizon, bookings and daily caps.
-- $1 practitioner, $2 from, $3 to (epoch s), $4 mode ('' any), $5 facility ('' any).
-- `taken` slots are returned too (booking tells "taken" from "not a slot").
SELECT extract(epoch from c.slot_start)::float8 AS start_s,
       extract(epoch from c.slot_end)::float8 AS end_s,
       c.facility_id::text AS facility_id, c.mode, c.timezone,
       extract(epoch from c.block_start)::float8 AS block_start_s,
       extract(epoch from c.block_end)::float8 AS block_end_s,
       c.organization_id::text AS organization_id,
       EXISTS (SELECT 1 FROM appointment.busy_blocks b
                WHERE b.practitioner_id = $1::uuid AND b.block && tstzrange(c.block_start, c.block_end))
       OR (av.max_bookings_per_day IS NOT NULL
           AND (SELECT count(*) FROM appointment.busy_blocks b
                 WHERE b.practitioner_id = $1::uuid AND b.local_day = c.local_day)
               >= av.max_bookings_per_day) AS taken
  FROM appointment.availability av,
       appointment.candidate_slots($1::uuid, to_timestamp($2), to_timestamp($3)) c
 WHERE av.practitioner_id = $1::uuid
   AND c.slot_start >= now() + make_interval(mins => av.min_notice_minutes)
   AND c.slot_start < now() + make_interval(days => av.horizon_days)
   AND ($4 = '' OR c.mode = $4)
   AND ($5 = '' OR c.facility_id = $5::uuid)
 ORDER BY c.slot_start, c.facility_id, c.mode
