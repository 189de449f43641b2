-- A user no longer consulting for organization $1: not listed, searchable or bookable at its
-- facilities.
DELETE FROM org.practitioner_facilities pf USING org.facilities f, org.practitioners p
WHERE pf.facility_id = f.id AND f.organization_id = $1::uuid AND pf.practitioner_id = p.id
  AND p.user_id = $2::uuid
