DELETE FROM payment.payments WHERE id = $1::uuid AND status = 'creating'
