-- Where a practitioner can be booked: facilities of verified organizations first, with what
-- an appointment shows the patient (name, address, phone, organization).
SELECT f.id::text AS facility_id, o.id::text AS organization_id, f.timezone,
       o.status = 'verified' AS organization_verified, f.name, f.line1, f.line2, f.city, f.state,
       f.pincode, f.country, f.latitude, f.longitude, f.phone, coalesce(nullif(o.display_name, ''), o.legal_name) AS organization_name
FROM org.practitioner_facilities pf
JOIN org.facilities f ON f.id = pf.facility_id
JOIN org.organizations o ON o.id = f.organization_id
WHERE pf.practitioner_id = $1::uuid
ORDER BY (o.status = 'verified') DESC, f.name, f.id
