-- A page of one organization's appointments by start time, latest first.
-- $2 status ('' for any); $3/$4 from bound (given, µs); $5/$6 to bound; $7/$8/$9 after
-- (given, start µs, id) of the previous page; $10 rows to return.
SELECT * FROM appointment.appointment_view
 WHERE organization_id = $1::uuid
   AND ($2::text = '' OR status = $2::text)
   AND (NOT $3::bool OR start_at >= timestamptz 'epoch' + $4::bigint * interval '1 microsecond')
   AND (NOT $5::bool OR start_at < timestamptz 'epoch' + $6::bigint * interval '1 microsecond')
   AND (NOT $7::bool OR (start_at, id) < (timestamptz 'epoch' + $8::bigint * interval '1 microsecond', $9::uuid))
 ORDER BY start_at DESC, id DESC
 LIMIT $10
