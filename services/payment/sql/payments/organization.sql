SELECT organization_id::text AS organization_id FROM payment.payments WHERE id = $1::uuid
