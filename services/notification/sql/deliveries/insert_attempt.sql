-- One attempt of a delivery, numbered after the previous ones.
INSERT INTO notification.delivery_attempts (delivery_id, attempt, provider, status, provider_message_id, error)
VALUES ($1::uuid, (SELECT coalesce(max(attempt), 0) + 1 FROM notification.delivery_attempts WHERE delivery_id = $1::uuid),
        $2, $3, nullif($4, ''), nullif($5, ''))
