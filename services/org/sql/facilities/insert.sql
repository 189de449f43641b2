-- A new facility; $9 says whether coordinates are given.
INSERT INTO org.facilities (organization_id, name, line1, line2, city, state, pincode, country,
  latitude, longitude, timezone, phone)
VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $9 THEN $10::float8 END,
  CASE WHEN $9 THEN $11::float8 END, $12, $13)
RETURNING id::text AS id
