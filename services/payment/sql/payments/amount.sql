SELECT amount_minor FROM payment.payments WHERE id = $1::uuid
