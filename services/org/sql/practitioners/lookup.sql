-- Practitioners by user id, for other services.
SELECT p.user_id::text AS user_id, p.id::text AS practitioner_id, p.display_name,
       coalesce(p.specialties[1], '') AS specialty,
       EXISTS (SELECT 1 FROM org.practitioner_facilities pf
               JOIN org.facilities f ON f.id = pf.facility_id
               JOIN org.organizations o ON o.id = f.organization_id
               WHERE pf.practitioner_id = p.id AND o.status = 'verified') AS verified
FROM org.practitioners p WHERE p.user_id = ANY($1::uuid[]) ORDER BY p.user_id
