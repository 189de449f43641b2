INSERT INTO payment.ledger (payment_id, kind, amount_minor, currency, gateway_ref)
VALUES ($1::uuid, 'refunded', $2, $3, $4) ON CONFLICT (kind, gateway_ref) DO NOTHING
