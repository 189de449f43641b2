UPDATE payment.refunds
SET gateway_refund_id = $2,
    status = CASE WHEN $3 = 'processed' THEN 'processed' ELSE status END,
    processed_at = CASE WHEN $3 = 'processed' THEN now() END
WHERE id = $1::uuid
