-- The first patient waiting for practitioner $1 on the local date of $2 (epoch s, zone $3),
-- for mode $4 and facility $5, who has no pending offer.
SELECT id FROM appointment.waitlist
 WHERE practitioner_id = $1::uuid AND status = 'waiting'
   AND (to_timestamp($2) AT TIME ZONE $3)::date BETWEEN date_from AND date_to
   AND (mode IS NULL OR mode = $4) AND (facility_id IS NULL OR facility_id = $5::uuid)
 ORDER BY created_at, id LIMIT 1
   FOR UPDATE SKIP LOCKED
