UPDATE payment.refunds SET status = 'failed' WHERE id = $1::uuid
