-- Whether practitioner $1 has a free slot whose local date is $2 (mode $3, '' any),
-- searched over the surrounding UTC days.
SELECT EXISTS (
  SELECT 1 FROM appointment.availability av,
         appointment.candidate_slots($1::uuid, ($2::date - 1)::timestamptz, ($2::date + 2)::timestamptz) c
   WHERE av.practitioner_id = $1::uuid AND c.local_day = $2::date
     AND c.slot_start >= now() + make_interval(mins => av.min_notice_minutes)
     AND c.slot_start < now() + make_interval(days => av.horizon_days)
     AND ($3 = '' OR c.mode = $3)
     AND NOT EXISTS (SELECT 1 FROM appointment.busy_blocks b
                      WHERE b.practitioner_id = $1::uuid AND b.block && tstzrange(c.block_start, c.block_end))
     AND (av.max_bookings_per_day IS NULL
          OR (SELECT count(*) FROM appointment.busy_blocks b
               WHERE b.practitioner_id = $1::uuid AND b.local_day = c.local_day) < av.max_bookings_per_day)
) AS free
