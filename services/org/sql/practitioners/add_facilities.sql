INSERT INTO org.practitioner_facilities (practitioner_id, facility_id)
SELECT $1::uuid, unnest($2::uuid[])
