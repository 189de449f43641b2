-- Changes the fields whose flag is set ($2, $4, $6, $8 address, $15 coordinates, $18, $20,
-- $22, $24); the others keep their value.
UPDATE org.organizations SET
  legal_name = CASE WHEN $2 THEN $3 ELSE legal_name END,
  display_name = CASE WHEN $4 THEN $5 ELSE display_name END,
  registration_number = CASE WHEN $6 THEN $7 ELSE registration_number END,
  line1 = CASE WHEN $8 THEN $9 ELSE line1 END, line2 = CASE WHEN $8 THEN $10 ELSE line2 END,
  city = CASE WHEN $8 THEN $11 ELSE city END, state = CASE WHEN $8 THEN $12 ELSE state END,
  pincode = CASE WHEN $8 THEN $13 ELSE pincode END, country = CASE WHEN $8 THEN $14 ELSE country END,
  latitude = CASE WHEN $8 THEN (CASE WHEN $15 THEN $16::float8 END) ELSE latitude END,
  longitude = CASE WHEN $8 THEN (CASE WHEN $15 THEN $17::float8 END) ELSE longitude END,
  contact_email = CASE WHEN $18 THEN $19 ELSE contact_email END,
  contact_phone = CASE WHEN $20 THEN $21 ELSE contact_phone END,
  gstin = CASE WHEN $22 THEN nullif($23, '') ELSE gstin END,
  late_cancellation_refund_percent = CASE WHEN $24 THEN $25 ELSE late_cancellation_refund_percent END,
  updated_at = now()
WHERE id = $1::uuid
