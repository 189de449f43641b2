UPDATE payment.payments SET status = 'captured', gateway_payment_id = $2, captured_at = now(),
       failure_reason = NULL, updated_at = now()
WHERE id = $1::uuid
