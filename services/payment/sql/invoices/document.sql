SELECT i.document FROM payment.invoices i JOIN payment.payments p ON p.id = i.payment_id
WHERE i.id = $1::uuid
