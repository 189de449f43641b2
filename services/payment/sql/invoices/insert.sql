INSERT INTO payment.invoices (id, kind, organization_id, fiscal_year, seq, number, payment_id,
                              refund_id, document)
VALUES ($1::uuid, $2, $3::uuid, $4, $5, $6, $7::uuid, nullif($8, '')::uuid, $9)
ON CONFLICT DO NOTHING RETURNING id::text AS id
