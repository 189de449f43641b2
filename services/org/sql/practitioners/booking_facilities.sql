-- Where a practitioner can be booked: facilities of verified organizations first.
SELECT f.id::text AS facility_id, o.id::text AS organization_id, f.timezone,
       o.status = 'verified' AS organization_verified
FROM org.practitioner_facilities pf
JOIN org.facilities f ON f.id = pf.facility_id
JOIN org.organizations o ON o.id = f.organization_id
WHERE pf.practitioner_id = $1::uuid
ORDER BY (o.status = 'verified') DESC, f.name, f.id
