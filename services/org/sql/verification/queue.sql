-- The review queue: organizations in status $1, and verified ones whose change of identity
-- waits (when the queue asked for is 'under_review'), oldest request first. k is the request's
-- time in microseconds; the page starts after ($3 µs, $4 id) when $2.
SELECT o.id::text AS id, o.type, o.legal_name, o.display_name, o.registration_number, o.line1,
       o.line2, o.city, o.state, o.pincode, o.country, o.latitude, o.longitude, o.contact_email,
       o.contact_phone, o.gstin, o.status, o.late_cancellation_refund_percent,
       o.created_by::text AS created_by, extract(epoch from o.created_at)::bigint AS created_at,
       extract(epoch from o.updated_at)::bigint AS updated_at,
       (extract(epoch from CASE WHEN o.status = 'verified' THEN o.identity_change_requested_at
          ELSE coalesce(o.submitted_at, o.created_at) END) * 1000000)::bigint AS k
FROM org.organizations o
WHERE (o.status = $1 OR ($1 = 'under_review' AND o.status = 'verified'
         AND o.pending_identity IS NOT NULL))
  AND (NOT $2::bool OR (CASE WHEN o.status = 'verified' THEN o.identity_change_requested_at
         ELSE coalesce(o.submitted_at, o.created_at) END, o.id)
       > ((timestamptz 'epoch' + $3::bigint * interval '1 microsecond'), $4::uuid))
ORDER BY k, o.id LIMIT $5
