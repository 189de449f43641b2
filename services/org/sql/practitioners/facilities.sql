-- The facilities of practitioners $1 (one, or a page of search results in one round trip),
-- of verified organizations only unless $2.
SELECT pf.practitioner_id::text AS practitioner_id, f.id::text AS facility_id,
       f.name AS facility_name, o.id::text AS organization_id,
       coalesce(nullif(o.display_name, ''), o.legal_name) AS organization_name, f.line1, f.line2,
       f.city, f.state, f.pincode, f.country, f.latitude, f.longitude, f.timezone,
       o.status = 'verified' AS organization_verified
FROM org.practitioner_facilities pf
JOIN org.facilities f ON f.id = pf.facility_id
JOIN org.organizations o ON o.id = f.organization_id
WHERE pf.practitioner_id = ANY ($1::uuid[]) AND ($2 OR o.status = 'verified')
ORDER BY pf.practitioner_id, f.name, f.id
