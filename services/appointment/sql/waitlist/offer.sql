-- Offers a freed slot to waitlist entry $1 for $7 minutes.
UPDATE appointment.waitlist
   SET status = 'offered', offered_start = to_timestamp($2), offered_end = to_timestamp($3),
       offered_facility_id = $4::uuid, offered_mode = $5, offered_timezone = $6,
       offer_expires_at = now() + make_interval(mins => $7)
 WHERE id = $1::uuid
RETURNING patient_id,
          to_char(offer_expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS expires,
          to_char(offered_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS slot_start,
          to_char(offered_end AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS slot_end
