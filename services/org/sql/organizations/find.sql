-- An organization visible to the transaction's caller (row-level security).
SELECT o.id::text AS id, o.type, o.legal_name, o.display_name, o.registration_number, o.line1,
       o.line2, o.city, o.state, o.pincode, o.country, o.latitude, o.longitude, o.contact_email,
       o.contact_phone, o.gstin, o.status, o.late_cancellation_refund_percent,
       o.created_by::text AS created_by, extract(epoch from o.created_at)::bigint AS created_at,
       extract(epoch from o.updated_at)::bigint AS updated_at
FROM org.organizations o WHERE o.id = $1::uuid
