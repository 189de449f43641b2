SELECT id::text AS id FROM payment.invoices WHERE refund_id = $1::uuid
