SELECT f.id::text AS id, f.organization_id::text AS organization_id, f.name, f.line1, f.line2,
       f.city, f.state, f.pincode, f.country, f.latitude, f.longitude, f.timezone, f.phone,
       extract(epoch from f.created_at)::bigint AS created_at
FROM org.facilities f WHERE f.id = $1::uuid
