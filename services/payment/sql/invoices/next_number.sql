INSERT INTO payment.document_counters (organization_id, kind, fiscal_year, last_number)
VALUES ($1::uuid, $2, $3, 1)
ON CONFLICT (organization_id, kind, fiscal_year)
DO UPDATE SET last_number = payment.document_counters.last_number + 1
RETURNING last_number
