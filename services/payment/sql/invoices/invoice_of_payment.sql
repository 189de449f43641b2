SELECT id::text AS id FROM payment.invoices WHERE payment_id = $1::uuid AND kind = 'invoice'
