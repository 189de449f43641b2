-- A new organization, pending verification; $11 says whether coordinates are given.
INSERT INTO org.organizations (type, legal_name, display_name, registration_number, line1, line2,
  city, state, pincode, country, latitude, longitude, contact_email, contact_phone, gstin,
  created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $11 THEN $12::float8 END,
  CASE WHEN $11 THEN $13::float8 END, $14, $15, nullif($16, ''), $17::uuid)
RETURNING id::text AS id
